package harness

import (
	"context"
	"fmt"
	"time"
)

func (e *env) layouts() ([]Layout, error) {
	var out []Layout
	for _, n := range e.opts.Layouts {
		l, err := LayoutByName(n, e.opts.L1Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// externalLayout names the runs against an origin --url names: the
// harness started none of its tiers and sees only its answers.
const externalLayout = "external"

// external runs the workload against --url, once per rate.
func (e *env) external(ctx context.Context, rates []float64) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, rate := range rates {
		w := e.newWorkload(c, rate)
		rr := e.newRunResult(runSpec{layout: Layout{Name: externalLayout}, phase: "cold", rate: rate, w: w})
		rr.S3LatencyMs, rr.S3JitterMs = 0, 0
		if err := e.measure(ctx, rr, w, "", e.opts.URLTemplate, nil, nil); err != nil {
			return out, err
		}
		out = append(out, rr)
	}
	return out, nil
}

func (e *env) tiers(ctx context.Context) ([]*RunResult, error) {
	if e.opts.URLTemplate != "" {
		return e.external(ctx, []float64{e.opts.Rate})
	}
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	w := e.newWorkload(c, e.opts.Rate)
	e.say("tiers: %d variants, %d requests per run (%d warm-up) at %.0f req/s, S3 %s ± %s", len(w.variants), len(w.seq), w.warmup, e.opts.Rate, e.opts.S3Latency, e.opts.S3Jitter)
	var out []*RunResult
	for _, l := range layouts {
		rr, l2, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: e.opts.Rate, w: w})
		if err != nil {
			return out, err
		}
		out = append(out, rr)
		if e.opts.Restart && l.L1Bytes > 0 {
			// A restart: a fresh process (empty L1) over the same L2.
			rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "restart", rate: e.opts.Rate, w: w, results: l2})
			if err != nil {
				return out, err
			}
			out = append(out, rr)
		}
	}
	return out, nil
}

func (e *env) sweepRate(ctx context.Context) ([]*RunResult, error) {
	if e.opts.URLTemplate != "" {
		return e.external(ctx, e.opts.Rates)
	}
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, rate := range e.opts.Rates {
		if out, err = e.coldRuns(ctx, out, layouts, rate, e.newWorkload(c, rate)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// coldRuns runs w once per layout, each on a fresh origin, and appends the
// results to out.
func (e *env) coldRuns(ctx context.Context, out []*RunResult, layouts []Layout, rate float64, w *workload) ([]*RunResult, error) {
	for _, l := range layouts {
		rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: rate, w: w})
		if err != nil {
			return out, err
		}
		out = append(out, rr)
	}
	return out, nil
}

func (e *env) sweepL1(ctx context.Context) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	var layouts []Layout
	for _, b := range e.opts.L1Budgets {
		layouts = append(layouts, Layout{Name: "l1", L1Bytes: b})
	}
	return e.coldRuns(ctx, nil, layouts, e.opts.Rate, e.newWorkload(c, e.opts.Rate))
}

func (e *env) growth(ctx context.Context) ([]*RunResult, error) {
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, n := range e.opts.SKUsList {
		c, err := GenerateCatalog(e.opts.DemoDir, n, e.opts.MaxViews)
		if err != nil {
			return out, err
		}
		if out, err = e.coldRuns(ctx, out, layouts, e.opts.Rate, e.newWorkload(c, e.opts.Rate)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// coldStart compares a new regional deployment serving from an empty L2
// with one whose L2 was prewarmed through POST /admin/warm (the warming
// origin is then replaced by a fresh one, so L1 starts empty in both).
func (e *env) coldStart(ctx context.Context) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	l, err := LayoutByName("l1+l2", e.opts.L1Bytes)
	if err != nil {
		return nil, err
	}
	w := e.newWorkload(c, e.opts.Rate)
	rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "no-prewarm", rate: e.opts.Rate, w: w})
	if err != nil {
		return nil, err
	}
	out := []*RunResult{rr}

	orig, err := e.originals(ctx, c)
	if err != nil {
		return out, err
	}
	results, err := e.newResults(ctx)
	if err != nil {
		return out, err
	}
	counters := &StoreCounters{}
	l.PatientRenders = l.PatientRenders || e.opts.PatientRenders
	o, err := StartOrigin(ctx, l, NewDelayBlob(orig, e.opts.S3Latency, e.opts.S3Jitter, counters),
		NewDelayBlob(results, e.opts.S3Latency, e.opts.S3Jitter, counters), e.tmp, e.log)
	if err != nil {
		return out, err
	}
	skus := w.topSKUs(e.opts.WarmSKUs)
	t0 := time.Now()
	job, err := Warm(ctx, o.URL, WarmBody{Hub: e.opts.WarmHub, SKUs: skus, Locales: e.opts.Locales, Presets: e.opts.Presets, Formats: e.opts.Formats}, 10*time.Minute)
	o.Close()
	if err != nil {
		return out, err
	}
	notes := fmt.Sprintf("prewarmed %d SKUs via POST /admin/warm (hub %s): %d variants, %d rendered, %d failed in %s",
		len(skus), e.opts.WarmHub, job.Total, job.Rendered, job.Failed, time.Since(t0).Round(time.Millisecond))
	e.say("  %s", notes)
	rr, _, err = e.runOne(ctx, runSpec{layout: l, phase: "prewarmed", rate: e.opts.Rate, w: w, results: results, notes: notes})
	if err != nil {
		return out, err
	}
	return append(out, rr), nil
}
