package harness

import (
	"context"
	"math"
	"testing"
	"time"

	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

func TestZipfFollowsItsLaw(t *testing.T) {
	for _, s := range []float64{0, 0.8, 1.0, 1.2} {
		const n, draws = 100, 200_000
		z := NewZipf(n, s, 7)
		counts := make([]int, n)
		for range draws {
			counts[z.Next()]++
		}
		for _, k := range []int{0, 1, 9, 99} {
			want := z.P(k) * draws
			if got := float64(counts[k]); math.Abs(got-want) > 5*math.Sqrt(want)+5 {
				t.Errorf("s=%g rank %d: %v draws, want about %.0f", s, k, got, want)
			}
		}
		if s == 1.0 && math.Abs(z.P(0)/z.P(1)-2) > 1e-9 {
			t.Errorf("s=1: P(1)/P(2) = %v, want 2", z.P(0)/z.P(1))
		}
	}
}

func TestTierOf(t *testing.T) {
	for h, want := range map[string]string{
		"tier;desc=l1":                      "l1",
		"tier;desc=render, render;dur=41.2": "render",
		`tier;desc="l2"`:                    "l2",
		"":                                  "other",
		"render;dur=3":                      "other",
	} {
		if got := TierOf(h); got != want {
			t.Errorf("TierOf(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestDelayBlobDelaysAndCounts(t *testing.T) {
	fs, err := storefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := NewDelayBlob(fs, 20*time.Millisecond, 5*time.Millisecond, nil)
	ctx := context.Background()
	if _, err := d.Put(ctx, "a", []byte("x"), storePut()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 3 {
		if _, err := d.Get(ctx, "a", storeGet()); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 45*time.Millisecond {
		t.Errorf("3 GETs took %s, want ≥ 45 ms (20 ms ± 5 ms each)", el)
	}
	if c := d.Counters.Snapshot(); c.Gets != 3 || c.Puts != 1 {
		t.Errorf("counted %+v, want 3 GETs and 1 PUT", c)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Get(cctx, "a", storeGet()); err == nil {
		t.Error("a cancelled Get succeeded")
	}
}
