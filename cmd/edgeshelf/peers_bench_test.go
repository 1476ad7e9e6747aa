package main

import (
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPeersBench prints issue #18's figures (run it alone, on a quiet
// machine; it is skipped unless PEERBENCH=1):
//
//	PEERBENCH=1 go test -count=1 -run TestPeersBench -v ./cmd/edgeshelf/
//
// renders per 1,000 requests of a Zipf workload with 3 replicas vs 1, and
// the latency of a peer hit (an L1 miss here, an L1 hit at the owner) on
// loopback at half the cluster's saturating request rate.
func TestPeersBench(t *testing.T) {
	if os.Getenv("PEERBENCH") != "1" {
		t.Skip("set PEERBENCH=1 to run the peer benchmark (three origin processes, about a minute)")
	}
	bin := buildBinary(t)
	one := startPeerCluster(t, bin, 1)
	three := startPeerCluster(t, bin, 3, "EDGESHELF_PEER_HOT_SHARE=0")
	r1 := zipfRenders(t, one)
	r3 := zipfRenders(t, three)
	t.Logf("Zipf (s=1.2, 1000 variants), 1000 requests: %v renders with 1 replica, %v with 3 (ratio %.3f)", r1, r3, r3/r1)
	if r3 > 1.1*r1 {
		t.Errorf("3 replicas render %.2f× what 1 does, want ≤ 1.1×", r3/r1)
	}
	peerHitLatency(t, three)
}

// zipfRenders sends 1,000 requests drawn from a Zipf distribution over
// 1,000 fresh variants, round-robin over the replicas, and counts renders.
func zipfRenders(t *testing.T, pc *peerCluster) float64 {
	t.Helper()
	z := rand.NewZipf(rand.New(rand.NewPCG(18, 1000)), 1.2, 1, 999)
	draws := make([]int, 1000)
	for i := range draws {
		draws[i] = int(z.Uint64())
	}
	before := pc.sum(t, "edgeshelf_cache_renders_total")
	failures, _ := pc.fanOut(len(draws), 4, func(i int) string {
		return pc.replicas[i%len(pc.replicas)].base + variantURL(5000+draws[i])
	})
	if len(failures) != 0 {
		t.Fatalf("Zipf run failures: %v", failures)
	}
	return pc.sum(t, "edgeshelf_cache_renders_total") - before
}

// peerHitLatency warms 300 variants (each in its owner's L1), finds the
// request rate 8 closed-loop clients reach over them, then sends half that
// rate open-loop and reports the latency of the responses served by peer.
func peerHitLatency(t *testing.T, pc *peerCluster) {
	t.Helper()
	const warm = 300
	if failures, _ := pc.fanOut(warm, 4, func(i int) string { return pc.replicas[0].base + variantURL(9000+i) }); len(failures) != 0 {
		t.Fatalf("warming: %v", failures)
	}
	url := func(rng *rand.Rand) string {
		return pc.replicas[rng.IntN(len(pc.replicas))].base + variantURL(9000+rng.IntN(warm))
	}
	var done atomic.Int64
	stop := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(stop) {
				if status, _, _, err := pc.get(url(rng)); err == nil && status == http.StatusOK {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	saturated := float64(done.Load()) / 3
	half := saturated / 2
	byTier := openLoop(pc, half, 4*time.Second, url)
	if len(byTier["peer"]) == 0 {
		t.Fatal("no response came through a peer")
	}
	// L1 hits of the same run are the yardstick: what the machine's own
	// noise (CPU contention, GC) costs any request.
	for _, tier := range []string{"peer", "l1"} {
		lat := byTier[tier]
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(time.Microsecond) }
		t.Logf("%s hits at half load (%.0f of %.0f req/s): %d measured, p50 %s, p99 %s, max %s",
			tier, half, saturated, len(lat), p(0.5), p(0.99), p(1))
	}
}

// openLoop sends rate requests per second for d, each on its own
// goroutine, and returns the latencies of the answers by tier.
func openLoop(pc *peerCluster, rate float64, d time.Duration, url func(*rand.Rand) string) map[string][]time.Duration {
	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	var wg sync.WaitGroup
	rng := rand.New(rand.NewPCG(3, 3))
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for n := 0; time.Since(start) < d; n++ {
		time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		u := url(rng)
		wg.Go(func() {
			t0 := time.Now()
			status, tier, _, err := pc.get(u)
			took := time.Since(t0)
			if err == nil && status == http.StatusOK {
				mu.Lock()
				lat[tier] = append(lat[tier], took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat
}
