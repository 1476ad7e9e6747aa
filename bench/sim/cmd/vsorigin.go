package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/bench/sim/live"
	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// vsResult compares the origin's L1 with the simulator on one trace.
type vsResult struct {
	Trace          string  `json:"trace"`
	Policy         string  `json:"policy"`
	BudgetPct      float64 `json:"budget_pct"`
	Budget         int64   `json:"budget_bytes"`
	Requests       int     `json:"requests"`
	OriginHit      float64 `json:"origin_hit_ratio"`
	SimHit         float64 `json:"sim_hit_ratio"`
	SizeMismatches int     `json:"size_mismatches"` // accesses whose entry size differs from the sizes table's
	FirstMismatch  string  `json:"first_mismatch,omitempty"`
	// RecordedHit replays the origin's own access trace (its cache keys and
	// entry sizes) in the simulator: it separates a model error (this one
	// off) from an input error (sizes or keys off).
	RecordedHit float64 `json:"recorded_trace_sim_hit_ratio"`
	OriginKeys  int     `json:"origin_keys"`
	TraceKeys   int     `json:"trace_keys"`
}

// vsTrace is the trace --vs-origin drives: over the generated catalog of
// --vs-skus SKUs, Zipf 0.8 over thumb and card variants in JPEG and WebP
// (quick to render, so the check fits CI), or the product-page model.
func (f *simFlags) vsTraceOf(sizes *sim.Sizes) (*sim.Trace, error) {
	c := sim.GeneratedCatalog(sizes, f.vsSKUs)
	if f.vsTrace == "zipf" {
		if err := c.Restrict([]string{"thumb", "card"}, []string{"jpg", "webp"}, nil); err != nil {
			return nil, err
		}
		return sim.ZipfTrace(c, 0.8, f.vsRequests, f.seed), nil
	}
	return sim.ProductPageTrace(c, sim.PageSpec{Alpha: 0.8, Requests: f.vsRequests, Seed: f.seed, ProfileShares: sim.DefaultProfileShares})
}

// runVsOrigin drives the trace through a fresh in-process origin per policy
// and budget (L1 only, sequential requests) and replays it in the
// simulator with the sizes table's sizes; both count every request (no
// warm-up), starting empty.
func (f *simFlags) runVsOrigin(ctx context.Context, root string, sizes *sim.Sizes, say func(string, ...any)) ([]vsResult, error) {
	t, err := f.vsTraceOf(sizes)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(t.Reqs))
	for i, r := range t.Reqs {
		keys[i] = r.Key
	}
	ws := t.WorkingSetBytes()
	pols := []string{policy.LRUName}
	if f.newPolicy != policy.LRUName && !slices.Contains(sim.Offline, f.newPolicy) {
		pols = append(pols, f.newPolicy)
	}
	var out []vsResult
	for _, pct := range f.vsBudgets {
		for _, p := range pols {
			r, err := f.vsOne(ctx, root, sizes, t, keys, p, pct, sim.Budget(ws, pct))
			if err != nil {
				return out, err
			}
			say("vs-origin %s %s %g%%: origin %.4f, simulator %.4f", t.Name, p, pct, r.OriginHit, r.SimHit)
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *simFlags) vsOne(ctx context.Context, root string, sizes *sim.Sizes, t *sim.Trace, keys []string, pol string, pct float64, budget int64) (vsResult, error) {
	tmp, err := os.MkdirTemp("", "edgeshelf-sim-origin-")
	if err != nil {
		return vsResult{}, err
	}
	defer os.RemoveAll(tmp)
	t0 := time.Now()
	res, err := live.Run(ctx, live.Config{DemoDir: filepath.Join(root, "demo"), SKUs: f.vsSKUs, L1Bytes: budget, Policy: pol,
		TmpDir: tmp, Locales: sizes.Profiles()}, keys)
	if err != nil {
		return vsResult{}, err
	}
	_ = time.Since(t0)
	r := vsResult{Trace: t.Name, Policy: pol, BudgetPct: pct, Budget: budget, Requests: len(keys)}
	hits := 0
	for i, a := range res.Accesses {
		if a.Source == "l1" {
			hits++
		}
		if a.Size != t.Reqs[i].Size {
			if r.SizeMismatches == 0 {
				r.FirstMismatch = fmt.Sprintf("%s: table %d, origin %d", t.Reqs[i].Key, t.Reqs[i].Size, a.Size)
			}
			r.SizeMismatches++
		}
	}
	r.OriginHit = float64(hits) / float64(len(keys))
	s, err := sim.Replay(t, pol, budget, sim.Options{})
	if err != nil {
		return vsResult{}, err
	}
	r.SimHit = 1 - s.ObjectMiss
	rec := &sim.Trace{Name: "recorded", Reqs: make([]sim.Request, len(res.Accesses))}
	for i, a := range res.Accesses {
		rec.Reqs[i] = a.Request
	}
	if s, err = sim.Replay(rec, pol, budget, sim.Options{}); err != nil {
		return vsResult{}, err
	}
	r.RecordedHit, r.OriginKeys, r.TraceKeys = 1-s.ObjectMiss, rec.Keys(), t.Keys()
	return r, nil
}
