package sim

import (
	"testing"
)

// TestReplayLRU: a hand-checked LRU run through the real policy.
func TestReplayLRU(t *testing.T) {
	reqs := []Request{{Key: "a", Size: 4}, {Key: "b", Size: 4}, {Key: "a", Size: 4}, {Key: "c", Size: 4}, {Key: "b", Size: 4}, {Key: "a", Size: 4}}
	// Budget 8: a b | a hit | c evicts b | b evicts a | a evicts c.
	r, err := Replay(&Trace{Reqs: reqs}, "lru", 8, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ObjectMiss != 5.0/6 || r.ByteMiss != 20.0/24 {
		t.Fatalf("lru: %.3f / %.3f, want 0.833 / 0.833", r.ObjectMiss, r.ByteMiss)
	}
	r, _ = Replay(&Trace{Reqs: reqs}, "lru", 8, Options{Warmup: 3})
	if r.Requests != 3 || r.ObjectMiss != 1 {
		t.Fatalf("warm-up: %d counted, %.3f missed; want 3, 1", r.Requests, r.ObjectMiss)
	}
	if _, err := Replay(&Trace{Reqs: reqs}, "nope", 8, Options{}); err == nil {
		t.Fatal("unknown policy accepted")
	}
}

// TestSweepOrdersThePolicies: on a Zipf trace the lower bound is below
// Belady-Size, which is below every online policy, at every budget; and a
// bigger budget never misses more.
func TestSweepOrdersThePolicies(t *testing.T) {
	c := GeneratedCatalog(testSizes(t), 50)
	tr := ZipfTrace(c, 0.8, 60000, 1)
	names := []string{"lru", "wtinylfu", BeladySize, PFOOL}
	rs, err := Sweep(tr, names, []float64{1, 5, 20}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]map[float64]float64{}
	for _, r := range rs {
		if by[r.Policy] == nil {
			by[r.Policy] = map[float64]float64{}
		}
		by[r.Policy][r.BudgetPct] = r.ByteMiss
	}
	for _, pct := range []float64{1, 5, 20} {
		lb, bel := by[PFOOL][pct], by[BeladySize][pct]
		if lb > bel {
			t.Errorf("%g%%: pfoo-l %.3f above belady-size %.3f", pct, lb, bel)
		}
		for _, p := range []string{"lru", "wtinylfu"} {
			if by[p][pct] < bel {
				t.Errorf("%g%%: %s %.3f below belady-size %.3f", pct, p, by[p][pct], bel)
			}
		}
	}
	for _, p := range names {
		if by[p][20] > by[p][1] {
			t.Errorf("%s misses more at 20%% (%.3f) than at 1%% (%.3f)", p, by[p][20], by[p][1])
		}
	}
}

// TestScanExperimentHurtsLRU: a sweep of twice the budget flushes LRU's
// hot set, so its hot hit ratio drops right after.
func TestScanExperimentHurtsLRU(t *testing.T) {
	c := GeneratedCatalog(testSizes(t), 50)
	base := ZipfTrace(c, 0.8, 60000, 1)
	rs, err := ScanExperiment(base, c, []string{"lru", BeladySize}, []float64{5}, ScanSpec{Factor: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Policy != "lru" {
		t.Fatalf("got %+v; want one lru result (offline references skipped)", rs)
	}
	if drop := rs[0].HotHitNoScan - rs[0].HotHitScan; drop < 0.02 || rs[0].HotHitNoScan < 0.3 {
		t.Fatalf("lru hot set %.3f → %.3f: want a high ratio and a visible drop", rs[0].HotHitNoScan, rs[0].HotHitScan)
	}
}
