package main

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/sim"
)

// traceInfo describes one replayed trace.
type traceInfo struct {
	Name       string `json:"name"`
	Requests   int    `json:"requests"`
	Keys       int    `json:"keys"`
	WorkingSet int64  `json:"working_set_bytes"`
}

// simulation is everything one run computed.
type simulation struct {
	Command  string        `json:"command"`
	Started  time.Time     `json:"started"`
	Catalog  string        `json:"catalog"`
	Traces   []traceInfo   `json:"traces"`
	Sweep    []sim.Result  `json:"sweep"`
	Scan     []sim.Result  `json:"scan,omitempty"`
	VsOrigin []vsResult    `json:"vs_origin,omitempty"`
	Checks   []check       `json:"checks"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// catalog is the generated catalog the traces draw from (the demo's with
// --skus 0).
func (f *simFlags) catalog(sizes *sim.Sizes) *sim.Catalog {
	if f.skus == 0 {
		return sim.DemoCatalog(sizes)
	}
	return sim.GeneratedCatalog(sizes, f.skus)
}

// buildTraces makes the traces the flags ask for: the recorded one alone
// (unless --traces was given too), or the generated ones.
func (f *simFlags) buildTraces(sizes *sim.Sizes) ([]*sim.Trace, error) {
	var out []*sim.Trace
	if f.traceFile != "" {
		fh, err := os.Open(f.traceFile)
		if err != nil {
			return nil, err
		}
		t, err := sim.ReadTrace(fh, "recorded")
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.traceFile, err)
		}
		if len(t.Reqs) == 0 {
			return nil, fmt.Errorf("%s: no requests", f.traceFile)
		}
		if out = append(out, t); !f.set["traces"] {
			return out, nil
		}
	}
	for _, kind := range f.traces {
		ts, err := f.generate(kind, sizes)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// generate makes the traces of one --traces kind; "scan" has none of its
// own (it reuses zipf-0.8 and product-page-0.8).
func (f *simFlags) generate(kind string, sizes *sim.Sizes) ([]*sim.Trace, error) {
	c := f.catalog(sizes)
	var out []*sim.Trace
	switch kind {
	case "zipf":
		if err := c.Restrict(f.presets, f.formats, nil); err != nil {
			return nil, err
		}
		for _, a := range f.alphas {
			out = append(out, sim.ZipfTrace(c, a, f.requests, f.seed))
		}
	case "product-page", "churn":
		for _, a := range f.pageAlphas {
			t, err := sim.ProductPageTrace(c, f.pageSpec(a, kind == "churn", len(c.SKUs)))
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	case "scan":
	default:
		return nil, fmt.Errorf("--traces: unknown trace %q (want zipf, product-page, churn, scan)", kind)
	}
	return out, nil
}

// churnDays is how many simulated days a churn trace spans.
const churnDays = 30

// pageSpec is the product-page model; with churn, each of churnDays days
// launches 1 % new SKUs and re-shoots 2 % of the photos.
func (f *simFlags) pageSpec(alpha float64, churn bool, skus int) sim.PageSpec {
	s := sim.PageSpec{Alpha: alpha, Requests: f.requests, Seed: f.seed, ProfileShares: sim.DefaultProfileShares}
	if churn {
		// A page view is about 4–5 requests (two per view, most SKUs
		// having 1–3 views).
		s.Churn = sim.Churn{PageViewsPerDay: max(f.requests/4/churnDays, 1), NewSKUs: max(skus/100, 1), NewPhotos: max(skus/50, 1)}
	}
	return s
}

// simulate replays every trace at every budget, then the scan experiment.
func (f *simFlags) simulate(sizes *sim.Sizes, say func(string, ...any)) (*simulation, error) {
	traces, err := f.buildTraces(sizes)
	if err != nil {
		return nil, err
	}
	s := &simulation{Catalog: f.catalog(sizes).Name}
	if f.traceFile != "" && !f.set["traces"] {
		s.Catalog = "none (a recorded trace: " + f.traceFile + ")"
	}
	for _, t := range traces {
		info := traceInfo{Name: t.Name, Requests: len(t.Reqs), Keys: t.Keys(), WorkingSet: t.WorkingSetBytes()}
		s.Traces = append(s.Traces, info)
		t0 := time.Now()
		rs, err := sim.Sweep(t, f.policies, f.budgets, f.warmup)
		if err != nil {
			return nil, err
		}
		say("%s: %d requests, %d keys, working set %.1f MiB: %d replays in %s", t.Name, info.Requests, info.Keys,
			float64(info.WorkingSet)/(1<<20), len(rs), time.Since(t0).Round(time.Millisecond))
		s.Sweep = append(s.Sweep, rs...)
	}
	// A recorded trace is replayed alone unless --traces asks for more.
	if slices.Contains(f.traces, "scan") && (f.traceFile == "" || f.set["traces"]) {
		if s.Scan, err = f.scanExperiment(sizes, say); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// scanBudgets are the budgets the scan check names.
var scanBudgets = []float64{1, 5, 10}

// scanExperiment injects a warm-up sweep and a crawler of --scan-factor ×
// the budget into zipf-0.8 and product-page-0.8.
func (f *simFlags) scanExperiment(sizes *sim.Sizes, say func(string, ...any)) ([]sim.Result, error) {
	c := f.catalog(sizes)
	zc := f.catalog(sizes)
	if err := zc.Restrict(f.presets, f.formats, nil); err != nil {
		return nil, err
	}
	page, err := sim.ProductPageTrace(c, f.pageSpec(0.8, false, len(c.SKUs)))
	if err != nil {
		return nil, err
	}
	bases := []*sim.Trace{sim.ZipfTrace(zc, 0.8, f.requests, f.seed), page}
	var out []sim.Result
	t0 := time.Now()
	for _, b := range bases {
		for _, every := range []int{0, 1} {
			rs, err := sim.ScanExperiment(b, zc, f.policies, scanBudgets, sim.ScanSpec{Factor: f.scanFactor, Every: every, Window: f.scanWindow, Seed: f.seed})
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
	}
	say("scan experiment: %d replays in %s", len(out), time.Since(t0).Round(time.Millisecond))
	return out, nil
}
