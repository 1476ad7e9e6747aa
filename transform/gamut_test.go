package transform_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

func gamutRenderer(t *testing.T, change func(*transform.Config)) *transform.Renderer {
	t.Helper()
	cfg := defaultConfig(t)
	if change != nil {
		change(&cfg)
	}
	r := newRenderer(t, cfg)
	return r
}

func measure(t *testing.T, r *transform.Renderer, src []byte) transform.Gamut {
	t.Helper()
	g, err := r.MeasureGamut(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGamutFromHeader: sources that cannot hold a colour outside sRGB are
// decided from the header alone, never decoded: untagged RGB (sRGB by the
// contract), an embedded sRGB profile, grey.
func TestGamutFromHeader(t *testing.T) {
	r := gamutRenderer(t, nil)
	srgbTagged, err := transform.TagPNG(encodeGo(t, solidImage(color.NRGBA{255, 0, 0, 255})), colour.SRGBProfile())
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string][]byte{
		"untagged":    readFixtureFile(t, "orient-1.jpg"),
		"untagged-16": readFixtureFile(t, "alpha-16.png"),
		"grey":        readFixtureFile(t, "grey.jpg"),
		"srgb-tagged": srgbTagged,
	} {
		if g := measure(t, r, src); g.Wide || g.Measured {
			t.Errorf("%s: %+v, want sRGB decided from the header", name, g)
		}
	}
}

// TestGamutSRGBContentInWideProfiles: the wide-profile fixtures hold the
// sRGB chart converted into Display P3, Adobe RGB, ProPhoto and CMYK. Their
// profiles could hold more, their pixels do not: each is measured and
// found to need no P3 variant.
func TestGamutSRGBContentInWideProfiles(t *testing.T) {
	r := gamutRenderer(t, nil)
	for _, name := range []string{"display-p3.jpg", "thumb-p3.heic", "thumb-p3.avif", "adobe-rgb.jpg", "adobe-rgb.png", "prophoto-16.png", "cmyk-untagged.jpg"} {
		g := measure(t, r, readFixtureFile(t, name))
		t.Logf("%s: %+v", name, g)
		if !g.Measured || g.Wide || g.Pixels == 0 {
			t.Errorf("%s: %+v, want measured and not wide", name, g)
		}
	}
}

// TestGamutShareThreshold: a photo with pure P3 red on exactly
// GAMUT_MIN_SHARE of its pixels is not wide, one pixel more is.
func TestGamutShareThreshold(t *testing.T) {
	r := gamutRenderer(t, nil) // 0.1 %: 10 of 10,000 pixels
	for outside, wide := range map[int]bool{0: false, 10: false, 11: true, 500: true} {
		src, err := transform.WideGamutSource(100, 100, outside)
		if err != nil {
			t.Fatal(err)
		}
		g := measure(t, r, src)
		if g.Pixels != 10000 || g.Outside != outside || g.Wide != wide {
			t.Errorf("%d pixels of P3 red: %+v, want %d outside and wide=%v", outside, g, outside, wide)
		}
	}
}

// TestGamutBoundaryGradient: a gradient from sRGB's red to Display P3's,
// in P3 values, crosses the sRGB boundary at a known column. The pixels
// counted outside are exactly those whose clip to sRGB costs more than the
// distance threshold (computed here independently, clipping the encoded
// values), and the decision flips exactly where their share crosses the
// share threshold, on either side.
func TestGamutBoundaryGradient(t *testing.T) {
	const w, h = 128, 8
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	sr, sg, sb := colour.DisplayP3.FromXYZD50(colour.SRGB.ToXYZD50(1, 0, 0)) // sRGB red in P3
	start := [3]float64{sr, sg, sb}
	wantOutside := 0
	for x := range w {
		f := float64(x) / (w - 1)
		var c [3]uint8
		for i := range 3 {
			c[i] = uint8(255*(start[i]*(1-f)+[3]float64{1, 0, 0}[i]*f) + 0.5)
		}
		if clipCost(c) > 1 { // the default GAMUT_MIN_DELTA_E
			wantOutside += h
		}
		for y := range h {
			img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
		}
	}
	src, err := transform.TagPNG(encodeGo(t, img), colour.DisplayP3Profile())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d gradient pixels lie outside sRGB by more than ΔE2000 1", wantOutside, w*h)
	if wantOutside == 0 || wantOutside == w*h {
		t.Fatalf("the gradient does not cross the threshold (%d of %d pixels outside)", wantOutside, w*h)
	}
	share := float64(wantOutside) / (w * h)
	for _, c := range []struct {
		minShare float64
		wide     bool
	}{{share, false}, {share - 1.0/(w*h), true}, {0, true}} {
		r := gamutRenderer(t, func(cfg *transform.Config) { cfg.GamutMinShare = c.minShare })
		g := measure(t, r, src)
		if g.Outside != wantOutside || g.Wide != c.wide {
			t.Errorf("GAMUT_MIN_SHARE %.5f: %+v, want %d outside and wide=%v", c.minShare, g, wantOutside, c.wide)
		}
	}
	// Past the largest distance in the photo, nothing counts.
	g := measure(t, gamutRenderer(t, nil), src)
	r := gamutRenderer(t, func(cfg *transform.Config) { cfg.GamutMinShare, cfg.GamutMinDeltaE = 0, g.MaxDeltaE })
	if g2 := measure(t, r, src); g2.Outside != 0 || g2.Wide {
		t.Errorf("GAMUT_MIN_DELTA_E at the largest distance %.3f: %+v, want nothing outside", g.MaxDeltaE, g2)
	}
}

// clipCost is the ΔE2000 between an 8-bit P3 colour and its sRGB clip.
func clipCost(c [3]uint8) float64 {
	p3 := colour.DisplayP3.ToLab(float64(c[0])/255, float64(c[1])/255, float64(c[2])/255)
	r, g, b := colour.SRGB.FromXYZD50(colour.LabToXYZD50(p3))
	clip := func(v float64) float64 { return min(max(v, 0), 1) }
	return colour.DeltaE2000(p3, colour.SRGB.ToLab(clip(r), clip(g), clip(b)))
}

// TestWideGamutRendersP3: a wide photo's P3 variant keeps its colours
// within the golden tests' chart accuracy, where the sRGB variant cannot.
func TestWideGamutRendersP3(t *testing.T) {
	src, err := transform.WideGamutSource(64, 64, 2048) // top half P3 red
	if err != nil {
		t.Fatal(err)
	}
	r := gamutRenderer(t, nil)
	if g := measure(t, r, src); !g.Wide {
		t.Fatalf("%+v, want wide", g)
	}
	want := map[image.Point]colour.Lab{{32, 8}: colour.DisplayP3.ToLab(1, 0, 0), {32, 56}: colour.DisplayP3.ToLab(128.0/255, 128.0/255, 128.0/255)}
	for space, maxDE := range map[transform.Space]float64{transform.DisplayP3: maxChartDeltaE, transform.SRGB: 1e9} {
		res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 64, Format: transform.PNG}, Look: transform.Look{Space: space}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := png.Decode(bytes.NewReader(res.Data)) // the values as stored: Go ignores iCCP
		if err != nil {
			t.Fatal(err)
		}
		rgb := colour.DisplayP3
		if space == transform.SRGB {
			rgb = colour.SRGB
		}
		for at, lab := range want {
			c := color.NRGBAModel.Convert(out.At(at.X, at.Y)).(color.NRGBA)
			de := colour.DeltaE2000(lab, rgb.ToLab(float64(c.R)/255, float64(c.G)/255, float64(c.B)/255))
			t.Logf("%s at %v: ΔE2000 %.2f", space, at, de)
			if de > maxDE {
				t.Errorf("%s at %v: ΔE2000 %.2f, want ≤ %.1f", space, at, de, maxDE)
			}
			if space == transform.SRGB && at.Y < 32 && de < 5 {
				t.Errorf("sRGB shows P3 red within ΔE2000 %.2f: the fixture is not wide", de)
			}
		}
	}
}

func readFixtureFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func solidImage(c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func encodeGo(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkMeasureGamut: the cost of a gamut decision beside the render it
// saves (a 480 px WebP card), on the 2400×2400 Display P3 demo photo.
func BenchmarkMeasureGamut(b *testing.B) {
	cfg := defaultConfig(b)
	cfg.RenderNice = 0 // compare CPU work, not the scheduler's view of other jobs
	r := newRenderer(b, cfg)
	src := demoOriginal(b, "amber-oud-50ml/front.jpg")
	b.Run("measure", func(b *testing.B) {
		for b.Loop() {
			if _, err := r.MeasureGamut(context.Background(), src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("render-card-webp", func(b *testing.B) {
		for b.Loop() {
			if _, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 480, Format: transform.WebP}, Look: transform.Look{Space: transform.DisplayP3}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
