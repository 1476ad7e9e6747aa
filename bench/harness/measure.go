package harness

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// runSpec is one measured run.
type runSpec struct {
	layout  Layout
	phase   string
	rate    float64
	w       *workload
	results store.Blob // L2 store (undelayed); nil: a new one
	// before runs on the started origin before the load (cold-start warm).
	notes string
}

// runOne starts an origin, runs the load and returns the result and the L2
// store used, so a later phase can restart over it.
func (e *env) runOne(ctx context.Context, rs runSpec) (*RunResult, store.Blob, error) {
	orig, err := e.originals(ctx, rs.w.cat)
	if err != nil {
		return nil, nil, err
	}
	results := rs.results
	if results == nil && rs.layout.L2 {
		if results, err = e.newResults(ctx); err != nil {
			return nil, nil, err
		}
	}
	counters := &StoreCounters{}
	slowOrig := NewDelayBlob(orig, e.opts.S3Latency, e.opts.S3Jitter, counters)
	var slowResults store.Blob
	if results != nil {
		slowResults = NewDelayBlob(results, e.opts.S3Latency, e.opts.S3Jitter, counters)
	}
	layout := rs.layout
	layout.PatientRenders = layout.PatientRenders || e.opts.PatientRenders
	o, err := StartOrigin(ctx, layout, slowOrig, slowResults, e.tmp, e.log)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	st, err := e.startStack(ctx, rs.layout, o)
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	rr := e.newRunResult(rs)
	err = e.measure(ctx, rr, rs.w, st.URL, "", counters, &o.Renders)
	return rr, results, err
}

func (e *env) newRunResult(rs runSpec) *RunResult {
	return &RunResult{
		Scenario: e.opts.Scenario, Layout: rs.layout.Name, Phase: rs.phase, Rate: rs.rate,
		L1Bytes: rs.layout.L1Bytes, L2: rs.layout.L2, Catalog: rs.w.cat.Name, SKUs: len(rs.w.cat.SKUs),
		Variants: len(rs.w.variants), ZipfS: e.opts.ZipfS,
		S3LatencyMs: float64(e.opts.S3Latency) / 1e6, S3JitterMs: float64(e.opts.S3Jitter) / 1e6,
		WarmupReqs: rs.w.warmup, DurationSecs: e.opts.Duration.Seconds(), Notes: rs.notes,
	}
}

// meter measures the origin's cost over a run's measured window: S3 calls,
// renders, CPU time and peak RSS. counters and renders are nil for an
// external origin.
type meter struct {
	counters *StoreCounters
	renders  interface{ Load() int64 }
	calls0   StoreCalls
	cpu0     time.Duration
	rend0    int64
	rendAll  int64 // renders before the warm-up
}

func newMeter(counters *StoreCounters, renders interface{ Load() int64 }) *meter {
	m := &meter{counters: counters, renders: renders}
	if renders != nil {
		m.rendAll = renders.Load()
	}
	return m
}

// mark starts the measured window.
func (m *meter) mark() {
	if m.counters != nil {
		m.calls0 = m.counters.Snapshot()
	}
	if m.renders != nil {
		m.rend0 = m.renders.Load()
	}
	m.cpu0 = cpuTime()
	resetPeakRSS()
}

// measure runs the load against base (or the template) and fills rr.
// counters and renders may be nil (external origin).
func (e *env) measure(ctx context.Context, rr *RunResult, w *workload, base, template string, counters *StoreCounters, renders interface{ Load() int64 }) error {
	m := newMeter(counters, renders)
	if w.warmup == 0 {
		m.mark()
	}
	label := fmt.Sprintf("%-9s %-8s %3.0f/s", rr.Layout, rr.Phase, rr.Rate)
	ids := slices.Clone(w.seq)
	lr := RunLoad(ctx, LoadConfig{
		URLs: w.urls(base, template), IDs: ids, Rate: rr.Rate, Warmup: w.warmup,
		MaxInFlight: e.opts.MaxInFlight, Timeout: e.opts.Timeout, OnMeasureStart: m.mark,
		Label: label, Progress: e.opts.Progress, ProgressOut: os.Stderr,
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	cpu := cpuTime() - m.cpu0
	fillClientSide(rr, lr)
	m.fill(rr, lr, cpu)
	e.say("  %-9s %-8s %5.0f req/s  p50 %7.1f ms  p99 %7.1f ms  hit l1 %.2f l2 %.2f  renders/1k %6.1f  S3 GETs/1k %6.1f  errors %d",
		rr.Layout, rr.Phase, rr.Rate, rr.Latency.P50, rr.Latency.P99, rr.HitRatio["l1"], rr.HitRatio["l2"], rr.RendersPer1k, rr.S3GetsPer1k, rr.Errors+rr.Dropped)
	return nil
}

// fillClientSide fills what the client saw: counts, latency, and where the
// responses came from.
func fillClientSide(rr *RunResult, lr *LoadResult) {
	rr.Scheduled, rr.Completed, rr.OK, rr.Errors, rr.Dropped = lr.Scheduled, lr.Completed, lr.OK, lr.Errors, lr.Dropped
	if lr.Elapsed > 0 {
		rr.ThroughputRPS = float64(lr.OK) / lr.Elapsed.Seconds()
	}
	rr.Latency = lr.Summary()
	rr.CDF = lr.CDF()
	rr.Tiers = map[string]int64{}
	rr.HitRatio = map[string]float64{}
	var bytesAll, bytesHit int64
	for _, t := range TierNames {
		rr.Tiers[t] = lr.Tiers[t]
		rr.HitRatio[t] = ratio(lr.Tiers[t], lr.OK)
		bytesAll += lr.TierBytes[t]
	}
	var hits int64
	for _, t := range cacheTiers {
		hits += lr.Tiers[t]
		bytesHit += lr.TierBytes[t]
	}
	rr.CacheHitRatio = ratio(hits, lr.OK)
	rr.ByteHitRatio = ratio(bytesHit, bytesAll)
	rr.BytesServed = bytesAll
	rr.RunDistinct = lr.DistinctRequested
	for _, n := range lr.HeaderRenders {
		rr.MaxHdrRenders = max(rr.MaxHdrRenders, n)
	}
}

// fill fills the origin's cost since mark; without a render counter the
// responses that said they rendered stand in for renders.
func (m *meter) fill(rr *RunResult, lr *LoadResult, cpu time.Duration) {
	if m.renders != nil {
		rr.Renders = m.renders.Load() - m.rend0
		rr.RunRenders = m.renders.Load() - m.rendAll
	} else {
		rr.Renders = lr.Tiers["render"]
	}
	rr.RendersPer1k = per1k(rr.Renders, lr.Completed)
	if m.counters != nil {
		d := m.counters.Snapshot().Sub(m.calls0)
		rr.S3Gets, rr.S3Puts = d.Gets, d.Puts
		rr.S3GetsPer1k = per1k(d.Gets, lr.Completed)
	}
	rr.CPUSeconds = cpu.Seconds()
	rr.CPUmsPerReq = 1000 * rr.CPUSeconds / float64(max(lr.Completed, 1))
	rr.PeakRSSMiB = float64(peakRSS()) / (1 << 20)
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
