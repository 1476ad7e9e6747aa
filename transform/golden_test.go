package transform_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// goldenSpec is one variant rendered from every fixture.
type goldenSpec struct {
	name string
	spec func(f fixture) transform.Spec
	// colour: chart patches are at least 8 px here, so their colour is
	// compared with the independent reference.
	colour bool
}

var goldenSpecs = []goldenSpec{
	// JPEG at its default quality: lossy enough on flat saturated patches
	// (a mean ΔE2000 of about 1.3 at q82) that colour is judged on the
	// lossless variants instead.
	{"w32", func(fixture) transform.Spec { return transform.Spec{Width: 32, Format: transform.JPEG} }, false},
	{"cover16", func(fixture) transform.Spec {
		return transform.Spec{Width: 16, Height: 16, Fit: transform.Cover, Format: transform.PNG}
	}, false},
	{"orig", func(f fixture) transform.Spec {
		return transform.Spec{Width: f.Display[0], Height: f.Display[1], Format: transform.PNG}
	}, true},
}

// w32PNG is the 32 px variant, lossless: the charts' colour after a resize.
var w32PNG = goldenSpec{"w32png", func(fixture) transform.Spec { return transform.Spec{Width: 32, Format: transform.PNG} }, true}

// specsFor is every variant rendered from a fixture.
func specsFor(f fixture) []goldenSpec {
	specs := append([]goldenSpec(nil), goldenSpecs...)
	if f.Chart != nil || f.CMYK {
		specs = append(specs, w32PNG)
	}
	if f.Name == "panorama" {
		// 400×20 is a size at which a 20:1 strip keeps its ratio exactly.
		specs = append(specs, goldenSpec{"w400", func(fixture) transform.Spec { return transform.Spec{Width: 400, Format: transform.JPEG} }, false})
	}
	return specs
}

// Thresholds.
const (
	maxGoldenDeltaE = 1.0 // grid mean against the stored golden
	maxChartDeltaE  = 1.0 // patch mean against the independent reference
	maxMarkerDeltaE = 10  // a marker block after resampling and JPEG/HEVC
	maxSolidDeltaE  = 2
	maxAlphaError   = 2 // 8-bit alpha steps
	// The marker image stored in different orientations (and codecs) and
	// rendered: JPEG blocks fall differently on each.
	maxSameImageDeltaE = 2.0
)

// TestGolden renders every fixture at every spec through the Renderer and
// checks what each must show, then compares with its golden file.
func TestGolden(t *testing.T) {
	ensureFixtures(t)
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	r.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) // TestGoldenCMYK checks the warnings
	orient1 := map[string][]colour.Lab{}                        // grids of orient-1 by spec
	for _, f := range fixtures {
		src := readFixture(t, f)
		for _, gs := range specsFor(f) {
			t.Run(f.Name+"/"+gs.name, func(t *testing.T) {
				spec := gs.spec(f)
				res, px := render(t, r, cfg, src, spec)
				ew, eh := expectedSize(f.Display, spec)
				if res.Width != ew || res.Height != eh || px.Width != ew || px.Height != eh {
					t.Fatalf("rendered %d×%d (decodes %d×%d), want %d×%d", res.Width, res.Height, px.Width, px.Height, ew, eh)
				}
				win := visibleWindow(f.Display, spec)
				if f.Markers {
					checkMarkers(t, px, win)
				}
				if f.Chart != nil && gs.colour {
					de := chartDeltaE(t, f, src, px)
					t.Logf("mean ΔE2000 against the pure-Go reference: %.3f", de)
					if de > maxChartDeltaE {
						t.Errorf("chart mean ΔE2000 %.3f, want ≤ %.1f", de, maxChartDeltaE)
					}
				}
				if f.Alpha {
					checkAlpha(t, f, spec, res, px, win, cfg)
				}
				if f.Solid != nil {
					want := colour.SRGBToLab(f.Solid.R, f.Solid.G, f.Solid.B)
					if de := colour.DeltaE2000(transform.MeasureRect(px, [4]float64{0, 0, 1, 1}), want); de > maxSolidDeltaE {
						t.Errorf("shows ΔE2000 %.2f from %v, want ≤ %d", de, *f.Solid, maxSolidDeltaE)
					}
				}
				if f.Name == "panorama" && spec.Fit != transform.Cover {
					if math.Abs(float64(res.Height)-float64(res.Width)/20) > 0.5 {
						t.Errorf("panorama rendered %d×%d: not 20:1 within a pixel", res.Width, res.Height)
					}
				}
				grid := labGrid(px)
				if f.Name == "orient-1" {
					orient1[gs.name] = grid
				} else if base, ok := orient1[gs.name]; ok && f.Markers {
					// Every oriented fixture displays the same image.
					de := colour.MeanDeltaE2000(base, grid)
					t.Logf("grid mean ΔE2000 from orient-1: %.2f", de)
					if de > maxSameImageDeltaE {
						t.Errorf("differs from orient-1 by a grid mean ΔE2000 of %.2f, want ≤ %.1f", de, maxSameImageDeltaE)
					}
				}
				compareGolden(t, f.Name+"_"+gs.name, res, grid)
			})
		}
	}
}

func render(t *testing.T, r *transform.Renderer, cfg transform.Config, src []byte, spec transform.Spec) (*transform.Result, *transform.Pixels) {
	t.Helper()
	res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec})
	if err != nil {
		t.Fatalf("render %+v: %v", spec, err)
	}
	px, err := transform.Decode(res.Data, cfg)
	if err != nil {
		t.Fatalf("decode the variant: %v", err)
	}
	return res, px
}

// expectedSize is the variant size computed from the oriented source:
// inside fits the box, cover fills it and crops, and neither enlarges
// unless asked.
func expectedSize(disp [2]int, s transform.Spec) (int, int) {
	w, h := float64(disp[0]), float64(disp[1])
	scale := math.Inf(1)
	if s.Width > 0 {
		scale = float64(s.Width) / w
	}
	if s.Height > 0 {
		scale = math.Min(scale, float64(s.Height)/h)
	}
	if s.Fit == transform.Cover {
		scale = math.Max(float64(s.Width)/w, float64(s.Height)/h)
	}
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	ow, oh := max(int(math.Round(w*scale)), 1), max(int(math.Round(h*scale)), 1)
	if s.Fit == transform.Cover {
		ow, oh = min(ow, s.Width), min(oh, s.Height)
	}
	return ow, oh
}

// visibleWindow is the part of the oriented source a variant shows (x, y,
// w, h as fractions): all of it but for a centred cover crop.
func visibleWindow(disp [2]int, s transform.Spec) [4]float64 {
	if s.Fit != transform.Cover {
		return [4]float64{0, 0, 1, 1}
	}
	w, h := float64(disp[0]), float64(disp[1])
	scale := math.Max(float64(s.Width)/w, float64(s.Height)/h)
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	sw, sh := w*scale, h*scale
	ow, oh := math.Min(float64(s.Width), math.Round(sw)), math.Min(float64(s.Height), math.Round(sh))
	return [4]float64{(sw - ow) / 2 / sw, (sh - oh) / 2 / sh, ow / sw, oh / sh}
}

// inWindow maps a rect of the source to the variant through the window,
// keeping the part that is visible; ok is false when none is.
func inWindow(r, win [4]float64) ([4]float64, bool) {
	x0, y0 := math.Max(r[0], win[0]), math.Max(r[1], win[1])
	x1, y1 := math.Min(r[0]+r[2], win[0]+win[2]), math.Min(r[1]+r[3], win[1]+win[3])
	if x1 <= x0 || y1 <= y0 {
		return [4]float64{}, false
	}
	return [4]float64{(x0 - win[0]) / win[2], (y0 - win[1]) / win[3], (x1 - x0) / win[2], (y1 - y0) / win[3]}, true
}

// centre is the middle part of a rect, keeping fraction f of each side:
// away from edges where resampling and chroma subsampling mix neighbours.
func centre(r [4]float64, f float64) [4]float64 {
	return [4]float64{r[0] + r[2]*(1-f)/2, r[1] + r[3]*(1-f)/2, r[2] * f, r[3] * f}
}

func checkMarkers(t *testing.T, px *transform.Pixels, win [4]float64) {
	t.Helper()
	named := map[string]colour.Lab{
		"red":   colour.SRGBToLab(markerRed.R, markerRed.G, markerRed.B),
		"green": colour.SRGBToLab(markerGreen.R, markerGreen.G, markerGreen.B),
		"grey":  colour.SRGBToLab(markerGrey.R, markerGrey.G, markerGrey.B),
	}
	for _, c := range []struct {
		where string
		rect  [4]float64
		want  string
	}{
		{"top-left", redRect, "red"}, {"top-right", greenRect, "green"},
		{"bottom-left", bottomLeftRect, "grey"}, {"bottom-right", bottomRightRect, "grey"},
	} {
		r, ok := inWindow(c.rect, win)
		if !ok {
			t.Fatalf("the %s marker is cropped off", c.where)
		}
		got := transform.MeasureRect(px, centre(r, 0.5))
		nearest, best := "", math.Inf(1)
		for name, lab := range named {
			if de := colour.DeltaE2000(got, lab); de < best {
				nearest, best = name, de
			}
		}
		if nearest != c.want || best > maxMarkerDeltaE {
			t.Errorf("%s shows %s (ΔE2000 %.1f, Lab %.1f/%.1f/%.1f), want %s: the image is not oriented as displayed",
				c.where, nearest, best, got.L, got.A, got.B, c.want)
		}
	}
}

// chartDeltaE is the mean CIEDE2000, over the chart's patches, between the
// variant (through its ICC profile, as MeasureRect sees it) and the
// fixture's stored pixels read without any colour management and converted
// with the pure-Go model of their space.
func chartDeltaE(t *testing.T, f fixture, src []byte, px *transform.Pixels) float64 {
	t.Helper()
	ref := chartReference(t, f, src)
	got := make([]colour.Lab, len(ref))
	for i := range ref {
		got[i] = transform.MeasureRect(px, centre(patchRect(i), 0.5))
	}
	return colour.MeanDeltaE2000(ref, got)
}

// chartReference is each patch's colour from the raw stored values: PNGs
// through Go's decoder (which ignores iCCP), JPEGs through libvips without
// an ICC transform. Patches are averaged in linear light, as MeasureRect does.
func chartReference(t *testing.T, f fixture, src []byte) []colour.Lab {
	t.Helper()
	var (
		w      int
		sample func(x, y int) [3]float64 // encoded 0..1
	)
	if bytes.HasPrefix(src, []byte("\x89PNG")) {
		img, err := png.Decode(bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		w = img.Bounds().Dx()
		sample = func(x, y int) [3]float64 {
			c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
			return [3]float64{float64(c.R) / 0xffff, float64(c.G) / 0xffff, float64(c.B) / 0xffff}
		}
	} else {
		params := vips.NewImportParams()
		params.AutoRotate.Set(false)
		img, err := vips.LoadImageFromBuffer(src, params)
		if err != nil {
			t.Fatal(err)
		}
		defer img.Close()
		if img.BandFormat() != vips.BandFormatUchar {
			t.Fatalf("%s: want an 8-bit JPEG", f.File)
		}
		raw, err := img.ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		w = img.Width()
		bands := img.Bands()
		sample = func(x, y int) [3]float64 {
			p := raw[bands*(y*w+x):]
			if bands < 3 {
				return [3]float64{float64(p[0]) / 255, float64(p[0]) / 255, float64(p[0]) / 255}
			}
			return [3]float64{float64(p[0]) / 255, float64(p[1]) / 255, float64(p[2]) / 255}
		}
	}
	if w != chartW {
		t.Fatalf("%s: %d px wide, want %d", f.File, w, chartW)
	}
	space := f.Chart.Space
	tr := space.Transfer
	ref := make([]colour.Lab, len(chartColours))
	for i := range ref {
		r := centre(patchRect(i), 0.5)
		x0, y0 := int(math.Floor(r[0]*chartW)), int(math.Floor(r[1]*chartH))
		x1, y1 := int(math.Ceil((r[0]+r[2])*chartW)), int(math.Ceil((r[1]+r[3])*chartH))
		var sum [3]float64
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				v := sample(x, y)
				for c := range 3 {
					sum[c] += tr.ToLinear(v[c])
				}
			}
		}
		n := float64((x1 - x0) * (y1 - y0))
		ref[i] = space.ToLab(tr.FromLinear(sum[0]/n), tr.FromLinear(sum[1]/n), tr.FromLinear(sum[2]/n))
	}
	return ref
}

// checkAlpha: PNG keeps alpha, rescaled (not clipped) from 16 bits; JPEG
// is flattened onto white.
func checkAlpha(t *testing.T, f fixture, spec transform.Spec, res *transform.Result, px *transform.Pixels, win [4]float64, cfg transform.Config) {
	t.Helper()
	info, err := transform.Inspect(res.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	regions := []struct {
		name  string
		rect  [4]float64
		alpha float64
		over  colour.Lab // as flattened onto white
	}{
		{"opaque", alphaOpaqueRect, 255, colour.SRGBToLab(alphaOpaque.R, alphaOpaque.G, alphaOpaque.B)},
		{"semi-transparent", alphaSemiRect, 128, flattenedOnWhite(alphaSemi)},
		{"transparent", alphaClearRect, 0, colour.SRGBToLab(255, 255, 255)},
	}
	if f.Alpha16 {
		regions[1].alpha = float64(semiAlpha16) / 257
	}
	switch spec.Format {
	case transform.PNG:
		if info.Bands != 4 || !info.HasAlpha {
			t.Fatalf("PNG variant has %d bands (alpha %v), want RGBA", info.Bands, info.HasAlpha)
		}
		img, err := png.Decode(bytes.NewReader(res.Data))
		if err != nil {
			t.Fatal(err)
		}
		for _, reg := range regions {
			r, ok := inWindow(reg.rect, win)
			if !ok {
				continue
			}
			got := meanAlpha(img, centre(r, 0.5))
			if math.Abs(got-reg.alpha) > maxAlphaError {
				t.Errorf("%s region: alpha %.1f, want %.1f ± %d", reg.name, got, reg.alpha, maxAlphaError)
			}
		}
	case transform.JPEG:
		if info.Bands != 3 {
			t.Fatalf("JPEG variant has %d bands, want 3", info.Bands)
		}
		for _, reg := range regions {
			r, ok := inWindow(reg.rect, win)
			if !ok {
				continue
			}
			got := transform.MeasureRect(px, centre(r, 0.5))
			if de := colour.DeltaE2000(got, reg.over); de > 3 {
				t.Errorf("%s region flattened to Lab %.1f/%.1f/%.1f, ΔE2000 %.2f from the expected (white behind), want ≤ 3",
					reg.name, got.L, got.A, got.B, de)
			}
		}
	}
}

// flattenedOnWhite composites c over white as libvips' flatten does, on
// the encoded values.
func flattenedOnWhite(c color.NRGBA) colour.Lab {
	a := float64(c.A) / 255
	mix := func(v uint8) float64 { return (float64(v)*a + 255*(1-a)) / 255 }
	return colour.SRGBFloatToLab(mix(c.R), mix(c.G), mix(c.B))
}

func meanAlpha(img image.Image, r [4]float64) float64 {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	x0, y0 := int(math.Floor(r[0]*w)), int(math.Floor(r[1]*h))
	x1, y1 := max(int(math.Ceil((r[0]+r[2])*w)), x0+1), max(int(math.Ceil((r[1]+r[3])*h)), y0+1)
	var sum float64
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			sum += float64(color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA).A)
		}
	}
	return sum / float64((x1-x0)*(y1-y0))
}

// labGrid is the mean Lab of each cell of a 4×4 grid, row by row.
func labGrid(px *transform.Pixels) []colour.Lab {
	grid := make([]colour.Lab, 0, 16)
	for y := range 4 {
		for x := range 4 {
			grid = append(grid, transform.MeasureRect(px, [4]float64{float64(x) / 4, float64(y) / 4, 0.25, 0.25}))
		}
	}
	return grid
}
