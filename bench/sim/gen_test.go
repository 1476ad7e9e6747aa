package sim

import (
	"strings"
	"testing"
)

func testSizes(t *testing.T) *Sizes {
	t.Helper()
	s, err := DefaultSizes()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSizesAreReal: the committed table covers every demo view in every
// preset, format and profile, with entries costing more than their bodies.
func TestSizesAreReal(t *testing.T) {
	s := testSizes(t)
	c := DemoCatalog(s)
	views := 0
	for _, k := range c.SKUs {
		views += len(k.Views)
	}
	if want := views * len(c.Presets) * len(c.Formats) * len(c.Profiles); len(s.Rows) != want || len(c.SKUs) != 10 {
		t.Fatalf("%d rows over %d SKUs, want %d over 10", len(s.Rows), len(c.SKUs), want)
	}
	for _, r := range s.Rows {
		if r.EntryBytes <= r.BodyBytes || r.BodyBytes < 500 {
			t.Fatalf("implausible sizes: %+v", r)
		}
	}
	// A generated SKU's entry differs from its template's by its tag only.
	g := GeneratedCatalog(s, 11)
	v := g.variant(g.SKUs[10], g.SKUs[10].Views[0], 0, "thumb", "jpg", "srgb-neutral")
	d := c.variant(c.SKUs[0], c.SKUs[0].Views[0], 0, "thumb", "jpg", "srgb-neutral")
	if v.Size-d.Size != int64(len(g.SKUs[10].ID)-len(c.SKUs[0].ID)) {
		t.Fatalf("generated %d vs demo %d", v.Size, d.Size)
	}
}

// TestZipfTracePopularity: the most requested key gets about its Zipf
// share, and the trace is the same for the same seed.
func TestZipfTracePopularity(t *testing.T) {
	c := GeneratedCatalog(testSizes(t), 20)
	a, b := ZipfTrace(c, 1.0, 50000, 3), ZipfTrace(c, 1.0, 50000, 3)
	counts := map[string]int{}
	for i, r := range a.Reqs {
		if r != b.Reqs[i] {
			t.Fatal("same seed, different traces")
		}
		counts[r.Key]++
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	n := len(c.Variants())
	var h float64
	for k := 1; k <= n; k++ {
		h += 1 / float64(k)
	}
	want := 50000 / h
	if float64(top) < 0.85*want || float64(top) > 1.15*want {
		t.Fatalf("top key requested %d times, want about %.0f (1/H(%d))", top, want, n)
	}
}

// TestProductPageViews: each page view is one SKU's image set in one
// format and profile; churn brings new SKUs as the days pass.
func TestProductPageViews(t *testing.T) {
	c := GeneratedCatalog(testSizes(t), 100)
	tr, err := ProductPageTrace(c, PageSpec{Alpha: 0.8, Requests: 2000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	sku, _, preset, format, _, _ := ParseVariantKey(tr.Reqs[0].Key)
	if preset != "thumb" {
		t.Fatalf("a page view starts with a thumb, got %s", tr.Reqs[0].Key)
	}
	for _, r := range tr.Reqs[1:4] {
		s, _, _, f, _, ok := ParseVariantKey(r.Key)
		if !ok || (s == sku && f != format) {
			t.Fatalf("page view mixes formats: %s after %s", r.Key, tr.Reqs[0].Key)
		}
	}
	ch, err := ProductPageTrace(c, PageSpec{Alpha: 0.8, Requests: 20000, Seed: 1, Churn: Churn{PageViewsPerDay: 500, NewSKUs: 5, NewPhotos: 5}})
	if err != nil {
		t.Fatal(err)
	}
	launched, reshot := 0, 0
	for _, r := range ch.Reqs {
		launched += b2i(strings.Contains(r.Key, "-new"))
		reshot += b2i(strings.Contains(r.Key, "~v"))
	}
	if launched == 0 || reshot == 0 {
		t.Fatalf("churn: %d requests for new SKUs, %d for re-shot photos; want some of each", launched, reshot)
	}
	if _, err := ProductPageTrace(c, PageSpec{Alpha: 0.8, Requests: 10, Devices: []Device{{Name: "x", Share: 1, Main: "pdp", Format: "gif"}}}); err == nil {
		t.Fatal("a device format outside the sizes table was accepted")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestInjectScan: the scan adds cold keys worth the asked bytes, each once,
// and leaves the normal requests in order.
func TestInjectScan(t *testing.T) {
	c := GeneratedCatalog(testSizes(t), 20)
	base := ZipfTrace(c, 0.8, 5000, 1)
	for _, every := range []int{0, 2} {
		tr, w := InjectScan(base, c, Scan{Bytes: 3 << 20, At: 1000, Every: every, Seed: 1})
		var scanBytes int64
		seen := map[string]bool{}
		var normal []Request
		for _, r := range tr.Reqs {
			if strings.HasPrefix(r.Key, "scan-") {
				if seen[r.Key] {
					t.Fatalf("scan key %s twice", r.Key)
				}
				seen[r.Key] = true
				scanBytes += r.Size
				continue
			}
			normal = append(normal, r)
		}
		if scanBytes < 3<<20 || w.Start != 1000 || w.End <= w.Start {
			t.Fatalf("every=%d: %d scan bytes in %+v", every, scanBytes, w)
		}
		if len(normal) != len(base.Reqs) || normal[1000] != base.Reqs[1000] {
			t.Fatalf("every=%d: normal requests changed", every)
		}
		if every == 0 && w.End-w.Start != len(seen) {
			t.Fatalf("sweep not back to back: window %d, %d scan requests", w.End-w.Start, len(seen))
		}
	}
}
