package policy

import (
	"fmt"
	"testing"
)

// hotHitRatio replays n requests of the workload's Zipf traffic and
// returns their hit ratio; readThrough stores each miss, otherwise the
// requests only probe the cache's state as it is.
func hotHitRatio(c Cache[int], w *workload, n int, readThrough bool) float64 {
	hits := 0
	for range n {
		i := w.next()
		if _, ok := c.Get(w.keys[i]); ok {
			hits++
		} else if readThrough {
			c.Set(w.keys[i], i, w.sizes[i])
		}
	}
	return float64(hits) / float64(n)
}

// scan requests never-seen keys, read through, until it has asked for
// bytes as many bytes (a crawler or a warm-up job).
func scan(c Cache[int], bytes int64) {
	const size = 40 << 10
	for i := range bytes / size {
		key := fmt.Sprintf("crawl/%d", i)
		if _, ok := c.Get(key); !ok {
			c.Set(key, -1, size)
		}
	}
}

// TestScanResistance: after a one-time scan of twice the budget, the hot
// set's hit ratio drops at most 5 points under W-TinyLFU and S3-FIFO, while
// LRU's collapses (the test would pass vacuously if the scan hurt nobody).
func TestScanResistance(t *testing.T) {
	drops := map[string]float64{}
	for _, name := range Names() {
		w := newWorkload(4000, 0.8, 3)
		budget := w.total / 10
		c := build(t, name, budget)
		hotHitRatio(c, w, 200_000, true) // warm up
		before := hotHitRatio(c, w, 5_000, false)
		scan(c, 2*budget)
		after := hotHitRatio(c, w, 5_000, false) // the state the scan left
		drops[name] = (before - after) * 100
		t.Logf("%-9s hot hit ratio %.3f -> %.3f after a 2x-budget scan (drop %.1f points)", name, before, after, drops[name])
	}
	for _, name := range []string{WTinyLFUName, S3FIFOName} {
		if drops[name] > 5 {
			t.Errorf("%s: hit ratio dropped %.1f points after a scan", name, drops[name])
		}
	}
	if drops[LRUName] < 15 {
		t.Errorf("lru dropped only %.1f points: the scan does not test anything", drops[LRUName])
	}
}
