package images_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

var formats = []struct {
	ext, contentType string
	maxDeltaE        float64
}{
	{"jpg", "image/jpeg", 3},
	{"webp", "image/webp", 3},
	{"avif", "image/avif", 3},
	{"png", "image/png", 1},
}

// TestEveryPresetEveryFormat serves every preset of every demo SKU in every
// format and checks what a browser would get: status, type, pixel size, and
// colour against the source at the same size.
func TestEveryPresetEveryFormat(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	cat := h.Catalog.Current()
	tcfg := h.Config.Transform
	for _, sku := range cat.SKUs {
		view := sku.Views[0]
		orig, err := cat.Resolve(sku.ID, view, "")
		if err != nil {
			t.Fatal(err)
		}
		obj, err := h.Store.Get(context.Background(), orig.Key, store.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		source, err := transform.Decode(obj.Data, tcfg)
		if err != nil {
			t.Fatalf("%s: decoding the original: %v", orig.Key, err)
		}
		for _, preset := range cat.Presets {
			wantW, wantH := expectedSize(source.Width, source.Height, preset)
			for _, f := range formats {
				path := fmt.Sprintf("/img/%s/%s/%s.%s", sku.ID, view, preset.Name, f.ext)
				t.Run(strings.TrimPrefix(path, "/img/"), func(t *testing.T) {
					t.Parallel()
					resp, body := h.Get(t, path)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("status %d: %s", resp.StatusCode, body)
					}
					if ct := resp.Header.Get("Content-Type"); ct != f.contentType {
						t.Fatalf("Content-Type %q, want %q", ct, f.contentType)
					}
					if cl := resp.Header.Get("Content-Length"); cl != fmt.Sprint(len(body)) {
						t.Fatalf("Content-Length %s for %d bytes", cl, len(body))
					}
					got, err := transform.Decode(body, tcfg)
					if err != nil {
						t.Fatalf("decoding the response: %v", err)
					}
					if !sizeMatches(got.Width, got.Height, wantW, wantH) {
						t.Fatalf("size %d×%d, want %d×%d", got.Width, got.Height, wantW, wantH)
					}
					de := gridDeltaE(source, got, preset.Fit == "cover")
					if de >= f.maxDeltaE {
						t.Fatalf("mean ΔE2000 %.2f against the source, want < %.1f", de, f.maxDeltaE)
					}
				})
			}
		}
	}
}

// expectedSize is what a preset makes of a w×h source: inside fits within
// the box without enlarging; cover fills it exactly (or the source's size
// when smaller).
func expectedSize(w, h int, p catalog.Preset) (int, int) {
	bw, bh := float64(p.Width), float64(p.Height)
	if bw == 0 {
		bw = math.Inf(1)
	}
	if bh == 0 {
		bh = math.Inf(1)
	}
	switch p.Fit {
	case "cover":
		return min(p.Width, w), min(p.Height, h)
	default:
		scale := math.Min(math.Min(bw/float64(w), bh/float64(h)), 1)
		return int(math.Round(float64(w) * scale)), int(math.Round(float64(h) * scale))
	}
}

// sizeMatches allows libvips' rounding of the unconstrained side (±1 px).
func sizeMatches(w, h, ww, wh int) bool {
	return (w == ww && abs(h-wh) <= 1) || (h == wh && abs(w-ww) <= 1)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// gridDeltaE compares two images of one scene at different sizes: both are
// averaged (in linear light) over a 16×16 grid of cells, and the mean
// CIEDE2000 between matching cells is returned. Averaging makes the check
// independent of the resampling kernel and of codec noise, so what it
// measures is colour: a wrong profile, a lost channel or a tint fails it.
func gridDeltaE(src, out *transform.Pixels, cover bool) float64 {
	a := sourceGrid(src, float64(out.Width)/float64(out.Height), cover)
	var b []colour.Lab
	for gy := range gridN {
		for gx := range gridN {
			b = append(b, transform.MeasureRect(out, [4]float64{float64(gx) / gridN, float64(gy) / gridN, 1.0 / gridN, 1.0 / gridN}))
		}
	}
	return colour.MeanDeltaE2000(a, b)
}

const gridN = 16

// sourceGrid measures the source's grid cells over the window a variant of
// the given aspect shows.
func sourceGrid(src *transform.Pixels, outAspect float64, cover bool) []colour.Lab {
	// For cover crops, compare against the centred window of the source
	// with the output's aspect ratio.
	x0, y0, w, h := 0.0, 0.0, 1.0, 1.0
	if cover {
		srcAspect := float64(src.Width) / float64(src.Height)
		if srcAspect > outAspect {
			w = outAspect / srcAspect
			x0 = (1 - w) / 2
		} else {
			h = srcAspect / outAspect
			y0 = (1 - h) / 2
		}
	}
	var a []colour.Lab
	for gy := range gridN {
		for gx := range gridN {
			cell := [4]float64{x0 + float64(gx)/gridN*w, y0 + float64(gy)/gridN*h, w / gridN, h / gridN}
			a = append(a, transform.MeasureRect(src, cell))
		}
	}
	return a
}

func TestVariantHeaders(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	const path = "/img/label-mug/front/card.webp"
	first, body := h.Get(t, path)
	if first.StatusCode != 200 {
		t.Fatalf("status %d", first.StatusCode)
	}
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("ETag %q is not a strong quoted tag", etag)
	}
	for header, want := range map[string]string{
		"Cache-Control":          "public, max-age=86400, s-maxage=2592000, stale-while-revalidate=3600, stale-if-error=604800",
		"Surrogate-Key":          "sku-label-mug",
		"Cache-Tag":              "sku-label-mug",
		"X-Content-Type-Options": "nosniff",
		"Content-Language":       "en-US",
	} {
		if got := first.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if st := first.Header.Get("Server-Timing"); !strings.HasPrefix(st, "tier;desc=render, render;dur=") {
		t.Errorf("first Server-Timing %q, want a render", st)
	}
	second, body2 := h.Get(t, path)
	if st := second.Header.Get("Server-Timing"); st != "tier;desc=l1" {
		t.Errorf("second Server-Timing %q, want an L1 hit", st)
	}
	if second.Header.Get("ETag") != etag || string(body2) != string(body) {
		t.Error("an L1 hit must serve the same bytes and ETag")
	}
	if got := h.Renders.Load(); got != 1 {
		t.Errorf("%d renders for two requests of one variant, want 1", got)
	}
	notMod, nmBody := h.Get(t, path, "If-None-Match", `"other", `+etag)
	if notMod.StatusCode != http.StatusNotModified || len(nmBody) != 0 {
		t.Errorf("If-None-Match: status %d with %d bytes, want 304 and none", notMod.StatusCode, len(nmBody))
	}
	if notMod.Header.Get("ETag") != etag {
		t.Error("304 must repeat the ETag")
	}
	versioned, _ := h.Get(t, path+"?v=3")
	if cc := versioned.Header.Get("Cache-Control"); !strings.HasSuffix(cc, ", immutable") {
		t.Errorf("versioned URL Cache-Control %q lacks immutable", cc)
	}
	hub, _ := h.Get(t, "/img/amber-oud-50ml/front/thumb.jpg?hub=eu-waw")
	if sk := hub.Header.Get("Surrogate-Key"); sk != "sku-amber-oud-50ml hub-eu-waw" {
		t.Errorf("hub photo Surrogate-Key %q", sk)
	}
}

func TestAutoFormat(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	for _, c := range []struct{ accept, want string }{
		{"image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "image/avif"},
		{"image/webp,*/*", "image/webp"},
		{"image/avif;q=0,image/webp", "image/webp"},
		{"*/*", "image/jpeg"},
		{"", "image/jpeg"},
	} {
		resp, body := h.Get(t, "/img/label-cap/front/thumb.auto", "Accept", c.accept)
		if resp.StatusCode != 200 {
			t.Fatalf("Accept %q: status %d: %s", c.accept, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != c.want {
			t.Errorf("Accept %q: Content-Type %q, want %q", c.accept, ct, c.want)
		}
		if v := resp.Header.Get("Vary"); v != hintsVary { // a preset is sized by client hints too
			t.Errorf("Accept %q: Vary %q, want %s", c.accept, v, hintsVary)
		}
	}
	if resp, _ := h.Get(t, "/img/label-cap/front/_.auto?w=100"); resp.Header.Get("Vary") != "Accept" {
		t.Errorf("ad-hoc .auto: Vary %q, want Accept (its size is in the URL)", resp.Header.Get("Vary"))
	}
	if resp, _ := h.Get(t, "/img/label-cap/front/thumb.jpg"); resp.Header.Get("Vary") != "" {
		t.Error("an explicit format must not Vary on Accept")
	}
}
