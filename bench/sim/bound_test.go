package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// optimum is the true offline optimum of a tiny trace by exhaustive search
// over cache contents: after each request the cache may hold any subset of
// what it held plus the requested object that fits the budget. It returns
// the least byte misses and, separately, the least object misses.
func optimum(reqs []Request, budget int64) (missBytes, missObjects float64) {
	in := intern(reqs)
	size := make([]int64, in.nkeys)
	for i, id := range in.ids {
		size[id] = in.sizes[i]
	}
	solve := func(cost func(i int) float64) float64 {
		const inf = 1e18
		best := map[uint32]float64{0: 0}
		for i, id := range in.ids {
			next := map[uint32]float64{}
			for set, c := range best {
				if set&(1<<id) == 0 {
					c += cost(i)
				}
				avail := set | 1<<id
				// Every subset of avail that fits is a reachable state.
				for sub := avail; ; sub = (sub - 1) & avail {
					var used int64
					for k := range in.nkeys {
						if sub&(1<<k) != 0 {
							used += size[k]
						}
					}
					if old, ok := next[sub]; used <= budget && (!ok || c < old) {
						next[sub] = c
					}
					if sub == 0 {
						break
					}
				}
			}
			best = next
		}
		m := inf
		for _, c := range best {
			m = min(m, c)
		}
		return m
	}
	missBytes = solve(func(i int) float64 { return float64(in.sizes[i]) })
	missObjects = solve(func(int) float64 { return 1 })
	return missBytes, missObjects
}

func randomTrace(rng *rand.Rand, n, keys int, unitSize bool) []Request {
	sizes := make([]int64, keys)
	for k := range sizes {
		sizes[k] = 1
		if !unitSize {
			sizes[k] = 1 + rng.Int64N(9)
		}
	}
	reqs := make([]Request, n)
	for i := range reqs {
		k := rng.IntN(keys)
		reqs[i] = Request{Time: int64(i), Key: fmt.Sprint("k", k), Size: sizes[k]}
	}
	return reqs
}

// TestBoundsBracketTheOptimum: on tiny random traces, PFOO-L ≤ the true
// optimum ≤ Belady-Size for both metrics, and no policy (nor the static
// popularity reference) beats PFOO-L; with equal sizes Belady-Size is the optimum (Belady's MIN).
func TestBoundsBracketTheOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const eps = 1e-9
	for trial := range 60 {
		unit := trial%3 == 0
		reqs := randomTrace(rng, 14, 6, unit)
		budget := int64(2 + rng.IntN(12))
		if unit {
			budget = int64(1 + rng.IntN(4))
		}
		optBytes, optObjects := optimum(reqs, budget)
		b, p := beladySize(reqs, budget, 0), pfooL(reqs, budget, 0)
		if p.missBytes > optBytes+eps || p.missObjects > optObjects+eps {
			t.Fatalf("trial %d: pfoo-l (%g B, %g obj) above the optimum (%g B, %g obj): not a lower bound\n%v", trial, p.missBytes, p.missObjects, optBytes, optObjects, reqs)
		}
		if b.missBytes < optBytes-eps || b.missObjects < optObjects-eps {
			t.Fatalf("trial %d: belady-size (%g B, %g obj) below the optimum (%g B, %g obj): it broke the budget\n%v", trial, b.missBytes, b.missObjects, optBytes, optObjects, reqs)
		}
		if unit && b.missObjects != optObjects {
			t.Fatalf("trial %d: equal sizes: belady-size %g object misses, optimum %g", trial, b.missObjects, optObjects)
		}
		for _, name := range append(policy.Names(), StaticPopularity) {
			r, err := Replay(&Trace{Reqs: reqs}, name, budget, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.ByteMiss*float64(r.Bytes) < p.missBytes-eps {
				t.Fatalf("trial %d: %s beat the lower bound", trial, name)
			}
		}
	}
}

// TestBeladySizeBypassesOneTimers: an object never requested again is not
// cached, so it cannot push out one that is.
func TestBeladySizeBypassesOneTimers(t *testing.T) {
	reqs := []Request{{Key: "a", Size: 5}, {Key: "x", Size: 5}, {Key: "a", Size: 5}}
	c := beladySize(reqs, 5, 0)
	if c.missObjects != 2 { // a (cold), x (cold, bypassed); a hits
		t.Fatalf("%g misses, want 2", c.missObjects)
	}
}

// TestPFOOLKnapsack: a hand-checked case. Budget 10 over 4 requests gives
// 40 byte-steps; a's interval costs 10×2 = 20, b's 8×2 = 16 (both fit),
// so both second requests may hit: 18 of 36 bytes missed at least.
func TestPFOOLKnapsack(t *testing.T) {
	reqs := []Request{{Key: "a", Size: 10}, {Key: "b", Size: 8}, {Key: "a", Size: 10}, {Key: "b", Size: 8}}
	c := pfooL(reqs, 10, 0)
	if c.missBytes != 18 || c.missObjects != 2 {
		t.Fatalf("pfoo-l: %g bytes, %g objects missed; want 18, 2", c.missBytes, c.missObjects)
	}
	// Belady-Size cannot hold both (18 > 10): a or b misses twice.
	if b := beladySize(reqs, 10, 0); b.missObjects != 3 {
		t.Fatalf("belady-size: %g objects missed; want 3", b.missObjects)
	}
}
