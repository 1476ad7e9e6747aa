package policy

import (
	"os"
	"testing"
)

// TestMeasureZipf prints every policy's miss ratios on the synthetic trace
// at 1, 5 and 10 % of the working set's bytes, next to the static optimum
// (the most popular objects that fit). Opt-in: POLICY_MEASURE=1.
func TestMeasureZipf(t *testing.T) {
	if os.Getenv("POLICY_MEASURE") == "" {
		t.Skip("set POLICY_MEASURE=1")
	}
	for _, pct := range []int64{1, 5, 10} {
		w := newWorkload(20000, 0.8, 1)
		static := w.staticOptimal(w.total * pct / 100)
		t.Logf("budget %2d%% static-optimal byteMiss %.4f", pct, static)
		var lruByte float64
		for _, name := range Names() { // lru sorts first
			w := newWorkload(20000, 0.8, 1)
			c, err := ByName[int](name, w.total*pct/100)
			if err != nil {
				t.Fatal(err)
			}
			om, bm := w.missRatios(c, 2_000_000)
			if name == LRUName {
				lruByte = bm
			}
			t.Logf("budget %2d%% %-9s objMiss %.4f byteMiss %.4f (%.3fx lru, %.3fx static optimum)", pct, name, om, bm, bm/lruByte, bm/static)
		}
	}
}
