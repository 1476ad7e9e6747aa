package transform_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Fidelity bounds of a variant rendered from a mezzanine against the same
// variant rendered from the original, both decoded to sRGB.
const (
	pyramidMeanDeltaE    = 0.3
	pyramidMeanDeltaEPNG = 0.35
	pyramidMinPSNR       = 42.0
)

// pyramidSource is one original the fidelity test renders both ways.
// primary, when set, is the original as the render from a mezzanine is
// measured against: a HEIF's own bytes with its thumbnail reference
// renamed, so the variant comes from the primary image the levels are
// made from, not from the thumbnail item (a separate, smaller encoding:
// TestPyramidHEIFThumbnailItem).
type pyramidSource struct {
	name    string
	data    []byte
	primary []byte
}

// pyramidSources are the golden fixtures, JPEG and PNG enlarged to 2400 px
// (their format, ICC profile and EXIF orientation kept; the small charts
// would get no level), the Display P3 HEIC and AVIF with thumbnail items,
// the demo masters, and one of them as PNG, WebP,
// AVIF and HEIC (formats without shrink-on-load; the HEIF ones decode
// their whole primary, having no thumbnail item).
func pyramidSources(t *testing.T) []pyramidSource {
	t.Helper()
	var out []pyramidSource
	for _, f := range fixtures {
		var data []byte
		var err error
		if f.File == "" {
			data, err = f.derive()
		} else {
			data, err = os.ReadFile(filepath.Join(fixtureDir, f.File))
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pyramidSource{name: "fixture/" + f.Name, data: enlarged(t, data)})
	}
	for _, name := range heifThumbFixtures { // thumbnail items, but the 512 level serves the thumb preset
		data, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pyramidSource{name: "fixture/" + name, data: data, primary: withoutThumbnail(t, data)})
	}
	for _, sku := range demoCatalog(t).SKUs {
		out = append(out, pyramidSource{name: "demo/" + sku.ID, data: demoOriginal(t, sku.ID+"/front.jpg")})
	}
	amber := demoOriginal(t, "amber-oud-50ml/front.jpg")
	for _, re := range []struct {
		ext string
		typ vips.ImageType
	}{{"png", vips.ImageTypePNG}, {"webp", vips.ImageTypeWEBP}, {"avif", vips.ImageTypeAVIF}, {"heic", vips.ImageTypeHEIF}} {
		out = append(out, pyramidSource{name: "demo/amber." + re.ext, data: reencode(t, amber, re.typ)})
	}
	return out
}

// enlarged scales a JPEG or PNG fixture up to a 2400 px long edge as
// stored, keeping its metadata; other formats are returned as they are.
func enlarged(t *testing.T, data []byte) []byte {
	t.Helper()
	typ := vips.DetermineImageType(data)
	if typ != vips.ImageTypeJPEG && typ != vips.ImageTypePNG {
		return data
	}
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	img, err := vips.LoadImageFromBuffer(data, params)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(2400/float64(max(img.Width(), img.Height())), vips.KernelLanczos3); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if typ == vips.ImageTypeJPEG {
		out, _, err = img.ExportJpeg(&vips.JpegExportParams{Quality: 95, SubsampleMode: vips.VipsForeignSubsampleOff})
	} else {
		out, _, err = img.ExportPng(&vips.PngExportParams{Compression: 1})
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reencode re-encodes an image as a PNG, a WebP, an AVIF or a HEIC (libvips
// writes the HEIF ones without a thumbnail item), its ICC profile kept.
func reencode(tb testing.TB, data []byte, typ vips.ImageType) []byte {
	tb.Helper()
	img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		tb.Fatal(err)
	}
	defer img.Close()
	var out []byte
	switch typ {
	case vips.ImageTypePNG:
		out, _, err = img.ExportPng(&vips.PngExportParams{Compression: 1})
	case vips.ImageTypeAVIF:
		out, _, err = img.ExportAvif(vips.NewAvifExportParams())
	case vips.ImageTypeHEIF:
		out, _, err = img.ExportHeif(vips.NewHeifExportParams())
	default:
		out, _, err = img.ExportWebp(&vips.WebpExportParams{Quality: 95, ReductionEffort: 2})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestPyramidFidelity renders every demo preset (JPEG as served, PNG to see
// the mezzanine's own effect) from the level Pick chooses and from the
// original, and compares them in CIEDE2000 and PSNR. Sources that get no
// level (alpha, 16 bits, CMYK, HEIF, animation, too small) must render
// from the original.
func TestPyramidFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("renders every preset of 30 sources twice")
	}
	cfg := defaultConfig(t)
	cfg.QueueWait = 0
	r := newRenderer(t, cfg)
	ctx := context.Background()
	compared := 0
	var set fidelitySet
	for _, src := range pyramidSources(t) {
		pyr, err := r.BuildPyramid(ctx, src.data)
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		for _, p := range demoCatalog(t).Presets {
			for _, f := range []transform.Format{transform.JPEG, transform.PNG} {
				spec := transform.Spec{Width: p.Width, Height: p.Height, Fit: transform.Fit(p.Fit), Format: f}
				i := pyr.Pick(spec, cfg, cfg.PyramidMinRatio)
				if i < 0 {
					continue
				}
				compared++
				if mean, ok := comparePyramidRender(t, r, src, spec, pyr.Levels[i]); ok {
					set.add(mean)
				}
			}
		}
	}
	if compared < 50 {
		t.Errorf("only %d renders came from a mezzanine", compared)
	}
	set.check(t)
}

// fidelitySet is the bound over the whole golden set (#16): the
// mean ΔE2000 of the lossless renders from a mezzanine at most
// pyramidMeanDeltaE, and no single render's mean above 1.0.
type fidelitySet struct {
	n          int
	sum, worst float64
}

func (s *fidelitySet) add(mean float64) {
	s.n++
	s.sum += mean
	s.worst = max(s.worst, mean)
}

func (s *fidelitySet) check(t *testing.T) {
	t.Helper()
	if s.n == 0 {
		t.Fatal("no lossless render came from a mezzanine")
	}
	mean := s.sum / float64(s.n)
	t.Logf("golden set, %d lossless renders from a mezzanine: ΔE2000 mean %.3f, worst render's mean %.3f", s.n, mean, s.worst)
	if mean > pyramidMeanDeltaE || s.worst > 1.0 {
		t.Errorf("golden set: ΔE2000 mean %.3f (≤ %.2f), worst render's mean %.3f (≤ 1.0)", mean, pyramidMeanDeltaE, s.worst)
	}
}

// comparePyramidRender checks one render from level l against the same
// render from the original; lossless (PNG) renders return their mean
// ΔE2000 and true.
func comparePyramidRender(t *testing.T, r *transform.Renderer, src pyramidSource, spec transform.Spec, l transform.PyramidLevel) (float64, bool) {
	t.Helper()
	ctx := context.Background()
	original := src.data
	if src.primary != nil {
		original = src.primary
	}
	want, err := r.Render(ctx, transform.Request{Source: original, Spec: spec})
	if err != nil {
		t.Fatalf("%s: %v", src.name, err)
	}
	got, err := r.Render(ctx, transform.Request{Source: l.Data, Spec: spec})
	if err != nil {
		t.Fatalf("%s from level %d: %v", src.name, l.LongEdge(), err)
	}
	name := src.name + " " + spec.Canonical()
	if got.Width != want.Width || got.Height != want.Height {
		t.Errorf("%s: %d×%d from level %d, %d×%d from the original", name, got.Width, got.Height, l.LongEdge(), want.Width, want.Height)
		return 0, false
	}
	mean, p999, psnr := pixelDistance(t, got.Data, want.Data)
	t.Logf("%-34s level %4d: ΔE2000 mean %.3f p99.9 %.3f, PSNR %.1f dB", name, l.LongEdge(), mean, p999, psnr)
	// The lossless variant shows what the mezzanine changes; a lossy one
	// adds its encoder's response to that change (logged, not bounded).
	bound := pyramidMeanDeltaE
	if vips.DetermineImageType(src.data) == vips.ImageTypePNG {
		// A PNG original renders through libvips' thumbnail, whose
		// resampler differs most from the mezzanine path: the sharp
		// patches of the Adobe RGB chart move by 0.31 on average.
		bound = pyramidMeanDeltaEPNG
	}
	if spec.Format == transform.PNG && (mean > bound || psnr < pyramidMinPSNR) {
		t.Errorf("%s: ΔE2000 mean %.3f (≤ %.2f), PSNR %.1f dB (≥ %.0f)", name,
			mean, bound, psnr, pyramidMinPSNR)
	}
	return mean, spec.Format == transform.PNG
}

// pixelDistance decodes two same-size images to sRGB and returns the mean
// and 99.9th percentile per-pixel CIEDE2000 and the PSNR over RGB.
func pixelDistance(t *testing.T, a, b []byte) (mean, p999, psnr float64) {
	t.Helper()
	pa, err := transform.Decode(a, transform.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	pb, err := transform.Decode(b, transform.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	des := make([]float64, 0, pa.Width*pa.Height)
	var sq float64
	for i := 0; i+2 < len(pa.RGB) && i+2 < len(pb.RGB); i += 3 {
		la := colour.SRGBToLab(pa.RGB[i], pa.RGB[i+1], pa.RGB[i+2])
		lb := colour.SRGBToLab(pb.RGB[i], pb.RGB[i+1], pb.RGB[i+2])
		de := colour.DeltaE2000(la, lb)
		des = append(des, de)
		mean += de
		for k := range 3 {
			d := float64(pa.RGB[i+k]) - float64(pb.RGB[i+k])
			sq += d * d
		}
	}
	sort.Float64s(des)
	mse := sq / float64(3*len(des))
	psnr = math.Inf(1)
	if mse > 0 {
		psnr = 10 * math.Log10(255*255/mse)
	}
	return mean / float64(len(des)), des[len(des)*999/1000], psnr
}

// TestPyramidLevels: mezzanines are upright, keep the source's profile,
// and exist only for sources whose pixels they can carry.
func TestPyramidLevels(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	for _, src := range pyramidSources(t) {
		if !strings.HasPrefix(src.name, "fixture/") {
			continue
		}
		pyr, err := r.BuildPyramid(context.Background(), src.data)
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		info, _ := transform.Inspect(src.data, cfg)
		eligible := !info.HasAlpha && info.Interpretation != "cmyk" && !strings.Contains(info.Interpretation, "16") &&
			slices.Contains([]string{"jpeg", "png", "heif", "avif"}, info.Type) && max(info.Width, info.Height) >= 1024 // a 512 level at most half
		if eligible != (len(pyr.Levels) > 0) {
			t.Errorf("%s (%s %s, alpha %v): %d levels", src.name, info.Type, info.Interpretation, info.HasAlpha, len(pyr.Levels))
		}
		for _, l := range pyr.Levels {
			li, err := transform.Inspect(l.Data, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if li.Orientation > 1 || string(li.ICCProfile) != string(info.ICCProfile) || (li.Width > li.Height) != (pyr.Width > pyr.Height) {
				t.Errorf("%s level %d: orientation %d, ICC kept %v, %d×%d of an upright %d×%d", src.name, l.LongEdge(),
					li.Orientation, string(li.ICCProfile) == string(info.ICCProfile), li.Width, li.Height, pyr.Width, pyr.Height)
			}
		}
	}
}

// withoutThumbnail is a HEIF file with its thumbnail reference ("thmb" in
// its iref box) renamed to a type libheif does not know: the same primary
// image, bytes for bytes, decoded as a file without a thumbnail item.
func withoutThumbnail(t *testing.T, heif []byte) []byte {
	t.Helper()
	if bytes.Count(heif, []byte("thmb")) != 1 {
		t.Fatal("no single thumbnail reference to rename")
	}
	out := bytes.Replace(heif, []byte("thmb"), []byte("xxxx"), 1)
	params := vips.NewImportParams()
	params.HeifThumbnail.Set(true)
	img, err := vips.LoadImageFromBuffer(out, params)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	info, err := transform.Inspect(heif, transform.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if img.Width() != info.Width {
		t.Fatalf("asked for the thumbnail of the renamed file, libheif gave %d px, not the %d px primary", img.Width(), info.Width)
	}
	return out
}

// TestPyramidHEIFThumbnailItem: for a HEIF/AVIF with a thumbnail item, a
// small variant now renders from the 512 level, made from the primary
// image, instead of from the thumbnail item (a separate lossy encoding at
// 480×320); measured against the same variant rendered from the primary,
// the level's render must be the closer of the two, and within the
// pyramid's bound.
func TestPyramidHEIFThumbnailItem(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	ctx := context.Background()
	spec := transform.Spec{Width: 200, Height: 200, Fit: transform.Cover, Format: transform.PNG} // the thumb preset
	for _, name := range heifThumbFixtures {
		src, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		pyr, err := r.BuildPyramid(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		i := pyr.Pick(spec, cfg, cfg.PyramidMinRatio)
		if i < 0 {
			t.Fatalf("%s: no level for the thumb preset", name)
		}
		render := func(data []byte) []byte {
			res, err := r.Render(ctx, transform.Request{Source: data, Spec: spec})
			if err != nil {
				t.Fatal(err)
			}
			return res.Data
		}
		primary := render(withoutThumbnail(t, src))
		level, _, levelPSNR := pixelDistance(t, render(pyr.Levels[i].Data), primary)
		item, _, itemPSNR := pixelDistance(t, render(src), primary)
		t.Logf("%s thumb against the primary's render: level %d ΔE2000 %.3f (%.1f dB), thumbnail item %.3f (%.1f dB)",
			name, pyr.Levels[i].LongEdge(), level, levelPSNR, item, itemPSNR)
		if level >= item || level > pyramidMeanDeltaE || levelPSNR < pyramidMinPSNR {
			t.Errorf("%s: from level %d ΔE2000 %.3f (%.1f dB), from the thumbnail item %.3f: want the level closer and within %.2f, %.0f dB",
				name, pyr.Levels[i].LongEdge(), level, levelPSNR, item, pyramidMeanDeltaE, pyramidMinPSNR)
		}
	}
}
