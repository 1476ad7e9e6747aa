package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// sample is one look at the server.
type sample struct {
	at                 time.Duration // since the traffic started
	rss                int64
	goHeap, vips       int64 // Go heap in use; libvips' tracked pixel memory
	goroutines         int
	l1Bytes            int64
	pyramidBytes       int64 // source-pyramid levels in memory (budgeted, fills as originals get pyramids)
	renders            int64
	requests, failures int64 // sent so far
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func printHeader(w io.Writer) {
	fmt.Fprintln(w, "| t | RSS MiB | Go heap MiB | libvips MiB | goroutines | L1 MiB | pyramid MiB | renders | requests | failed |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
}

func (s sample) printRow(w io.Writer, warmup time.Duration) {
	mark := ""
	if s.at < warmup {
		mark = " (warm-up)"
	}
	fmt.Fprintf(w, "| %s%s | %.1f | %.1f | %.1f | %d | %.1f | %.1f | %d | %d | %d |\n",
		s.at.Round(time.Second), mark, mib(s.rss), mib(s.goHeap), mib(s.vips), s.goroutines, mib(s.l1Bytes),
		mib(s.pyramidBytes), s.renders, s.requests, s.failures)
}

// growth compares the start and the end of the samples after the warm-up.
type growth struct {
	from, to float64
}

func (g growth) percent() float64 {
	if g.from == 0 {
		return 0
	}
	return (g.to - g.from) / g.from * 100
}

// verdict is the soak's outcome.
type verdict struct {
	rss, goroutines growth
	maxRSS, peakRSS int64 // the largest sample, and the kernel's high-water mark
	budget          int64 // L1 budget + headroom
	measured        int   // samples after the warm-up
	traffic         trafficStats
	problems        []string
}

func (v verdict) ok() bool { return len(v.problems) == 0 }

// window is how many samples make each end of the measured stretch: a
// third of them, so that the medians compared are of samples two thirds of
// the stretch apart and RSS's ±5 % swing between samples (renders
// allocating and freeing) neither hides nor fakes growth.
func window(measured int) int { return max(1, measured/3) }

// evaluate checks the samples against the soak's limits.
func evaluate(samples []sample, opts options, tr trafficStats, peakRSS int64, stopErr error) verdict {
	v := verdict{peakRSS: peakRSS, budget: int64(opts.l1Bytes + opts.rssHeadroom), traffic: tr}
	var measured []sample
	for _, s := range samples {
		v.maxRSS = max(v.maxRSS, s.rss)
		if s.at >= opts.warmup {
			measured = append(measured, s)
		}
	}
	v.measured = len(measured)
	if len(measured) < 2 {
		v.problems = append(v.problems, fmt.Sprintf("%d samples after the warm-up: need at least 2", len(measured)))
	} else {
		n := window(len(measured))
		head, tail := measured[:n], measured[len(measured)-n:]
		rss := func(s sample) float64 { return float64(s.rss) }
		goroutines := func(s sample) float64 { return float64(s.goroutines) }
		v.rss = growth{median(head, rss), median(tail, rss)}
		v.goroutines = growth{median(head, goroutines), median(tail, goroutines)}
		if g := v.rss.percent(); g >= opts.maxGrowth {
			v.problems = append(v.problems, fmt.Sprintf("RSS grew %.1f %% after the warm-up (limit < %.0f %%)", g, opts.maxGrowth))
		}
		if g := v.goroutines.percent(); g >= opts.maxGrowth {
			v.problems = append(v.problems, fmt.Sprintf("goroutines grew %.1f %% after the warm-up (limit < %.0f %%)", g, opts.maxGrowth))
		}
	}
	if v.maxRSS > v.budget {
		v.problems = append(v.problems, fmt.Sprintf("RSS reached %.1f MiB, over the L1 budget + headroom (%.0f MiB)", mib(v.maxRSS), mib(v.budget)))
	}
	if !opts.flapping() && tr.shed*1000 > tr.requests {
		v.problems = append(v.problems, fmt.Sprintf("%d of %d requests were shed (503 render_busy): more than 0.1 %%", tr.shed, tr.requests))
	}
	if tr.failures > 0 {
		v.problems = append(v.problems, fmt.Sprintf("%d of %d requests failed; first: %s", tr.failures, tr.requests, strings.Join(tr.firstFailures, "; ")))
	}
	if tr.requests == 0 {
		v.problems = append(v.problems, "no request was answered")
	}
	if opts.s3Flap > 0 {
		var slowest time.Duration
		for _, d := range tr.slowest {
			slowest = max(slowest, d)
		}
		if slowest > flapRequestTimeout+flapGrace {
			v.problems = append(v.problems, deadlineProblem(slowest))
		}
	}
	if stopErr != nil {
		v.problems = append(v.problems, "graceful stop: "+stopErr.Error())
	}
	return v
}

func median(ss []sample, f func(sample) float64) float64 {
	vs := make([]float64, len(ss))
	for i, s := range ss {
		vs[i] = f(s)
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

func (v verdict) print(w io.Writer, opts options) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "after the %s warm-up (%d samples; median of the first %d vs of the last %d):\n",
		opts.warmup, v.measured, window(v.measured), window(v.measured))
	fmt.Fprintf(w, "  RSS         %.1f → %.1f MiB (%+.1f %%)\n", mib(int64(v.rss.from)), mib(int64(v.rss.to)), v.rss.percent())
	fmt.Fprintf(w, "  goroutines  %.1f → %.1f (%+.1f %%)\n", v.goroutines.from, v.goroutines.to, v.goroutines.percent())
	fmt.Fprintf(w, "  RSS max %.1f MiB sampled, %.1f MiB peak (VmHWM); budget %.0f MiB (L1 %s + %s)\n",
		mib(v.maxRSS), mib(v.peakRSS), mib(v.budget), opts.l1Bytes, opts.rssHeadroom)
	kinds := make([]string, 0, len(v.traffic.byKind))
	for k := range v.traffic.byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	slowest := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, v.traffic.byKind[k]))
		slowest = append(slowest, fmt.Sprintf("%s %s", k, v.traffic.slowest[k].Round(time.Millisecond)))
	}
	fmt.Fprintf(w, "  requests    %d, %d failed (%s)\n", v.traffic.requests, v.traffic.failures, strings.Join(parts, ", "))
	fmt.Fprintf(w, "  slowest     %s\n", strings.Join(slowest, ", "))
	if opts.flapping() {
		fmt.Fprintf(w, "  S3 flapped every %s: %d answers were 503 + Retry-After (shed while it was down); deadline %s + %s\n",
			opts.s3Flap, v.traffic.shed, flapRequestTimeout, flapGrace)
	} else if v.traffic.shed > 0 {
		fmt.Fprintf(w, "  shed        %d renders answered 503 render_busy + Retry-After (allowed up to 0.1 %% of requests)\n", v.traffic.shed)
	}
	if v.ok() {
		fmt.Fprintln(w, "PASS")
		return
	}
	for _, p := range v.problems {
		fmt.Fprintln(w, "FAIL:", p)
	}
}
