package harness

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Write puts results.json, results.csv, report.md and the plots in dir.
func Write(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "results.csv"), r); err != nil {
		return err
	}
	plots, err := Plot(dir, r)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "report.md"), []byte(Report(r, plots)), 0o644)
}

// Rerender rewrites report.md, results.csv and the plots beside a
// results.json from it, with this code: a report fixed or extended after
// a long run need not cost the run again.
func Rerender(resultsJSON string) error {
	r, err := readResults(resultsJSON)
	if err != nil {
		return err
	}
	return Write(filepath.Dir(resultsJSON), r)
}

var csvHeader = []string{"scenario", "layout", "phase", "rate_rps", "l1_bytes", "l2", "catalog", "skus", "variants", "zipf_s",
	"s3_latency_ms", "s3_jitter_ms", "scheduled", "completed", "ok", "errors", "dropped", "throughput_rps",
	"p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "hit_l1", "hit_l2", "hit_render", "cache_hit_ratio",
	"byte_hit_ratio", "renders", "renders_per_1k", "s3_gets", "s3_gets_per_1k", "s3_puts", "cpu_s", "cpu_ms_per_req", "peak_rss_mib"}

func writeCSV(path string, r *Results) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(csvHeader)
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	d := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, x := range r.Runs {
		_ = w.Write([]string{x.Scenario, x.Layout, x.Phase, g(x.Rate), d(x.L1Bytes), strconv.FormatBool(x.L2), x.Catalog,
			strconv.Itoa(x.SKUs), strconv.Itoa(x.Variants), g(x.ZipfS), g(x.S3LatencyMs), g(x.S3JitterMs),
			d(x.Scheduled), d(x.Completed), d(x.OK), d(x.Errors), d(x.Dropped), g(x.ThroughputRPS),
			g(x.Latency.P50), g(x.Latency.P90), g(x.Latency.P99), g(x.Latency.P999), g(x.Latency.Max), g(x.Latency.Mean),
			g(x.HitRatio["l1"]), g(x.HitRatio["l2"]), g(x.HitRatio["render"]), g(x.CacheHitRatio), g(x.ByteHitRatio),
			d(x.Renders), g(x.RendersPer1k), d(x.S3Gets), g(x.S3GetsPer1k), d(x.S3Puts), g(x.CPUSeconds), g(x.CPUmsPerReq), g(x.PeakRSSMiB)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Label names a run in tables and legends.
func (x *RunResult) Label() string {
	s := x.Layout
	if x.Phase != "" && x.Phase != "cold" {
		s += " (" + x.Phase + ")"
	}
	return s
}

// Report is report.md.
func Report(r *Results, plots []string) string {
	if len(r.PageRuns) > 0 {
		return PageReport(r, plots)
	}
	var b strings.Builder
	o := r.Options
	fmt.Fprintf(&b, "# edgeshelf cache-latency benchmark: %s\n\n", o.Scenario)
	fmt.Fprintf(&b, "Started %s, took %s. Host: %d CPUs, %s/%s, %s.\n\n", r.Started.Format("2006-01-02 15:04:05 UTC"),
		r.Finished.Sub(r.Started).Round(1e9), r.Host.CPUs, r.Host.GOOS, r.Host.GOARCH, r.Host.GoVersion)
	if r.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", r.Command)
	}
	fmt.Fprintf(&b, "Target %s, store %s, catalog %s, presets %s, formats %s, locales %s; Zipf s=%g, seed %d; warm-up %s, measured %s; "+
		"S3 latency %s ± %s injected per store call (DelayBlob).\n\n",
		o.Target, o.Store, o.Catalog, strings.Join(o.Presets, ","), strings.Join(o.Formats, ","), strings.Join(o.Locales, ","),
		o.ZipfS, o.Seed, o.Warmup, o.Duration, o.S3Latency, o.S3Jitter)
	b.WriteString("Latency is measured from each request's scheduled time (open loop), so queueing is included. " +
		"Hit ratios come from the `Server-Timing: tier;desc=` header; renders and S3 GETs are counted in the origin and the store decorator over the measured window; " +
		"CPU is the harness process's getrusage delta (origin + load generator; versitygw excluded).\n\n")

	b.WriteString("## Latency and throughput\n\n")
	b.WriteString("| run | rate | L1 | SKUs | variants | requests | ok | errors+dropped | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.Runs {
		fmt.Fprintf(&b, "| %s | %g | %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
			x.Label(), x.Rate, bytesStr(x.L1Bytes), x.SKUs, x.Variants, x.Scheduled, x.OK, x.Errors+x.Dropped, x.ThroughputRPS,
			x.Latency.P50, x.Latency.P90, x.Latency.P99, x.Latency.P999, x.Latency.Max)
	}
	b.WriteString("\n## Cache effect and origin cost\n\n")
	b.WriteString("| run | rate | L1 | hit l1 | hit l2 | render | cache hit | byte hit | renders /1k | S3 GETs /1k | S3 PUTs | CPU s | CPU ms/req | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.Runs {
		fmt.Fprintf(&b, "| %s | %g | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %d | %.2f | %.1f | %.0f |\n",
			x.Label(), x.Rate, bytesStr(x.L1Bytes), x.HitRatio["l1"], x.HitRatio["l2"], x.HitRatio["render"], x.CacheHitRatio, x.ByteHitRatio,
			x.RendersPer1k, x.S3GetsPer1k, x.S3Puts, x.CPUSeconds, x.CPUmsPerReq, x.PeakRSSMiB)
	}
	if base := baseline(r.Runs); base != nil {
		fmt.Fprintf(&b, "\n## Ratios to the baseline (%s, same run)\n\n", base.Label())
		b.WriteString("| run | p50 | p99 | renders /1k | S3 GETs /1k | CPU ms/req |\n|---|---:|---:|---:|---:|---:|\n")
		for _, x := range r.Runs {
			if x.Rate != base.Rate || x.SKUs != base.SKUs {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.Label(), rat(x.Latency.P50, base.Latency.P50), rat(x.Latency.P99, base.Latency.P99),
				rat(x.RendersPer1k, base.RendersPer1k), rat(x.S3GetsPer1k, base.S3GetsPer1k), rat(x.CPUmsPerReq, base.CPUmsPerReq))
		}
	}
	if checks := Checks(r); len(checks) > 0 {
		b.WriteString("\n## Checks\n\n")
		for _, c := range checks {
			fmt.Fprintf(&b, "- %s\n", c)
		}
	}
	for _, x := range r.Runs {
		if x.Notes != "" {
			fmt.Fprintf(&b, "\nNote (%s): %s\n", x.Label(), x.Notes)
		}
	}
	if len(plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(p, ".png"), p)
		}
	}
	return b.String()
}

// baseline is the no-cache run (or the first run).
func baseline(runs []*RunResult) *RunResult {
	for _, x := range runs {
		if x.Layout == "none" {
			return x
		}
	}
	if len(runs) > 0 {
		return runs[0]
	}
	return nil
}

func rat(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func bytesStr(n int64) string {
	switch {
	case n == 0:
		return "–"
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}

func find(runs []*RunResult, layout, phase string) *RunResult {
	for _, x := range runs {
		if x.Layout == layout && x.Phase == phase {
			return x
		}
	}
	return nil
}

// Checks are the claims an operator reads the tiers report for, each
// stated with its numbers and PASS/FAIL.
func Checks(r *Results) []string {
	var out []string
	if l1, reg := find(r.Runs, "l1", "cold"), find(r.Runs, "regional", "cold"); l1 != nil && reg != nil {
		out = append(out, fmt.Sprintf("%s: l1 p99 %.1f ms < regional p99 %.1f ms", pf(l1.Latency.P99 < reg.Latency.P99), l1.Latency.P99, reg.Latency.P99))
	}
	if l1, both := find(r.Runs, "l1", "restart"), find(r.Runs, "l1+l2", "restart"); l1 != nil && both != nil {
		out = append(out, fmt.Sprintf("%s: after a restart, l1+l2 renders %.1f /1k requests < l1-only %.1f /1k", pf(both.RendersPer1k < l1.RendersPer1k), both.RendersPer1k, l1.RendersPer1k))
	}
	if none := find(r.Runs, "none", "cold"); none != nil {
		out = append(out, fmt.Sprintf("%s: no-cache renders on every request (render ratio %.3f)", pf(none.HitRatio["render"] == 1), none.HitRatio["render"]))
	}
	for _, x := range r.Runs {
		if x.Errors+x.Dropped > 0 {
			out = append(out, fmt.Sprintf("WARN: %s had %d errors and %d dropped requests", x.Label(), x.Errors, x.Dropped))
		}
	}
	return out
}

// Compare prints two results files' matching runs side by side.
func Compare(w io.Writer, aPath, bPath string) error {
	a, err := readResults(aPath)
	if err != nil {
		return err
	}
	b, err := readResults(bPath)
	if err != nil {
		return err
	}
	key := func(x *RunResult) string {
		return fmt.Sprintf("%s %s rate=%g l1=%s skus=%d", x.Label(), x.Scenario, x.Rate, bytesStr(x.L1Bytes), x.SKUs)
	}
	bm := map[string]*RunResult{}
	for _, x := range b.Runs {
		bm[key(x)] = x
	}
	fmt.Fprintf(w, "a = %s\nb = %s\n\n", aPath, bPath)
	fmt.Fprintf(w, "%-50s %-14s %10s %10s %8s\n", "run", "metric", "a", "b", "b/a")
	var keys []string
	for _, x := range a.Runs {
		if bm[key(x)] != nil {
			keys = append(keys, key(x))
		}
	}
	am := map[string]*RunResult{}
	for _, x := range a.Runs {
		am[key(x)] = x
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return fmt.Errorf("no run in %s matches one in %s", aPath, bPath)
	}
	for _, k := range keys {
		x, y := am[k], bm[k]
		rows := []struct {
			name string
			a, b float64
		}{
			{"p50 ms", x.Latency.P50, y.Latency.P50}, {"p99 ms", x.Latency.P99, y.Latency.P99},
			{"p99.9 ms", x.Latency.P999, y.Latency.P999}, {"req/s", x.ThroughputRPS, y.ThroughputRPS},
			{"cache hit", x.CacheHitRatio, y.CacheHitRatio}, {"byte hit", x.ByteHitRatio, y.ByteHitRatio},
			{"renders/1k", x.RendersPer1k, y.RendersPer1k}, {"S3 GETs/1k", x.S3GetsPer1k, y.S3GetsPer1k},
			{"CPU ms/req", x.CPUmsPerReq, y.CPUmsPerReq}, {"peak RSS MiB", x.PeakRSSMiB, y.PeakRSSMiB},
		}
		for i, row := range rows {
			name := ""
			if i == 0 {
				name = k
			}
			fmt.Fprintf(w, "%-50s %-14s %10.2f %10.2f %8s\n", name, row.name, row.a, row.b, rat(row.b, row.a))
		}
	}
	return nil
}
