package harness

import (
	"context"
	"math"

	"github.com/edgeshelf/edgeshelf/bench/sim"
)

// RatePoint is one open-loop run of a layout at a fraction of its probed
// capacity: the points of the page p99 vs rate plot.
type RatePoint struct {
	Fraction float64 `json:"fraction_of_capacity"`
	PageRate float64 `json:"page_rate"`
	Pages    int64   `json:"pages"`
	Errors   int64   `json:"errors"` // failed requests and dropped pages
	PageP50  float64 `json:"page_p50_ms"`
	PageP99  float64 `json:"page_p99_ms"`
	ReqP99   float64 `json:"request_p99_ms"`
	Measured bool    `json:"measured"` // the measured phase itself
}

// BudgetPoint is the layout's recorded trace replayed through its L1
// policy at another byte budget: the points of the hit ratio vs L1 budget
// plot.
type BudgetPoint struct {
	L1Bytes      int64   `json:"l1_bytes"`
	HitRatio     float64 `json:"l1_hit_ratio"`
	ByteHitRatio float64 `json:"l1_byte_hit_ratio"`
}

// sweepPoint runs pages at fraction × capacity after the measured phase
// (so it cannot change what was measured) for about SweepSeconds, at
// least 40 pages.
func (ph *pagePhases) sweepPoint(ctx context.Context, fraction float64) RatePoint {
	rate := max(fraction*ph.pr.Capacity, 0.1)
	n := max(int(rate*ph.e.opts.Pages.SweepSeconds), 40)
	pages := make([]Page, n)
	for i := range pages {
		pages[i] = ph.g.next(ph.base, ph.e.opts.URLTemplate)
	}
	lr := ph.runAt(ctx, pages, rate, 0)
	page, req := histSummary(lr.PageHist), histSummary(lr.ReqHist)
	return RatePoint{Fraction: fraction, PageRate: rate, Pages: lr.Pages, Errors: lr.Errors + lr.PagesDropped,
		PageP50: page.P50, PageP99: page.P99, ReqP99: req.P99}
}

// sweep adds the measured phase and the --page-sweep points to the
// layout's rate curve; nothing when the rate was given rather than probed.
func (ph *pagePhases) sweep(ctx context.Context) {
	pr := ph.pr
	if pr.Capacity <= 0 {
		return
	}
	pr.RateCurve = append(pr.RateCurve, RatePoint{Fraction: pr.PageRate / pr.Capacity, PageRate: pr.PageRate, Pages: pr.Pages,
		Errors: pr.Errors + pr.PagesDropped, PageP50: pr.PageLatency.P50, PageP99: pr.PageLatency.P99, ReqP99: pr.RequestLatency.P99, Measured: true})
	for _, f := range ph.e.opts.Pages.Sweep {
		if ctx.Err() != nil {
			return
		}
		p := ph.sweepPoint(ctx, f)
		ph.e.say("  %-12s at %.0f %% of capacity (%.1f pages/s): page p50 %.1f ms  p99 %.1f ms", pr.Layout, 100*f, p.PageRate, p.PageP50, p.PageP99)
		pr.RateCurve = append(pr.RateCurve, p)
	}
}

// entryOverhead approximates what an L1 entry costs beyond its body
// (cache.Entry.Size: content type, ETag, tags and 128 bytes of headers).
const entryOverhead = 200

// traceRecorder keeps, in completion order, the requests that reached
// the origin (not answered by the regional cache): what its L1 saw.
type traceRecorder struct {
	reqs []sim.Request
}

func (t *traceRecorder) add(url, accept, tier string, n int64) {
	if t == nil || tier == "regional" {
		return
	}
	t.reqs = append(t.reqs, sim.Request{Key: url + "|" + acceptName(accept), Size: n + entryOverhead})
}

// budgetFractions are the budgets the recorded requests are replayed at,
// as fractions of the layout's own: down to 1/32 to find where a smaller
// L1 starts to cost hits (a catalog's working set is often well under the
// default budget), up to 4× to show what more memory would buy.
var budgetFractions = []float64{1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 4}

// budgetCurve replays what the layout's L1 saw through its policy at
// fractions of its budget; requests before measuredFrom warm the cache
// uncounted, as the warm-up did for the measured phase.
func budgetCurve(t *traceRecorder, policy string, l1Bytes int64, measuredFrom int) ([]BudgetPoint, error) {
	if t == nil || l1Bytes <= 0 || measuredFrom >= len(t.reqs) {
		return nil, nil
	}
	tr := &sim.Trace{Name: "recorded", Reqs: t.reqs}
	var out []BudgetPoint
	for _, f := range budgetFractions {
		r, err := sim.Replay(tr, policy, int64(f*float64(l1Bytes)), sim.Options{Warmup: measuredFrom})
		if err != nil {
			return nil, err
		}
		out = append(out, BudgetPoint{L1Bytes: r.Budget, HitRatio: 1 - r.ObjectMiss, ByteHitRatio: 1 - r.ByteMiss})
	}
	return out, nil
}

// maxLoad is the highest share of a layout's probed capacity its
// measured phase runs at.
const maxLoad = 0.7

// steadyRate is the measured phase's page rate for a probed capacity: the
// largest step of a 1-1.5-2-3-5-7 series per decade at or under 70 % of
// it (at least 0.5 pages/s). The closed-loop probe moved by up to 30 %
// between runs of the same command (7.3 and 9.5 pages/s for the no-cache
// layout); measuring at 70 % of each probe then gave each run different
// traffic. On the series, two runs whose probes differ by less than the
// step apart land on the same rate, and a layout is loaded at 47–70 % of
// its capacity, within "up to 70 %".
func steadyRate(capacity float64) float64 {
	target := maxLoad * capacity
	if target <= 0.5 {
		return 0.5
	}
	decade := math.Pow(10, math.Floor(math.Log10(target)))
	best := 0.5
	for _, d := range []float64{decade / 10, decade} {
		for _, m := range []float64{1, 1.5, 2, 3, 5, 7} {
			if r := m * d; r <= target*(1+1e-9) && r > best {
				best = r
			}
		}
	}
	return best
}
