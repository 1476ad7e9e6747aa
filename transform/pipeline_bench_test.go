package transform_test

import (
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// sixMP makes a 3000×2000 sRGB JPEG (6 MP, q90) from a demo photo: the size
// of a typical product shot straight from a studio camera export.
func sixMP(tb testing.TB) []byte {
	tb.Helper()
	img, err := vips.NewImageFromBuffer(demoOriginal(tb, "label-hoodie/front.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(2.5, vips.KernelLanczos3); err != nil {
		tb.Fatal(err)
	}
	if err := img.ExtractArea(0, 500, 3000, 2000); err != nil {
		tb.Fatal(err)
	}
	p := vips.NewJpegExportParams()
	p.Quality, p.StripMetadata, p.Interlace = 90, true, false // a baseline JPEG, as cameras write
	b, _, err := img.ExportJpeg(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkPipeline is the grid source × format × width, each beside the
// direct-govips baseline doing the same resize and encode at the same
// quality, in one run. Sources: the 1.4 MP sRGB hoodie, the 5.8 MP Display
// P3 perfume bottle (ICC conversion on every render), a 6 MP sRGB
// studio export, and the same as an AVIF without a thumbnail item (decoded
// whole, then reduced up to 15×: the resize's large-factor path).
func BenchmarkPipeline(b *testing.B) {
	cfg := defaultConfig(b)
	r := newRenderer(b, cfg)
	sources := []struct {
		name string
		data []byte
	}{
		{"srgb1mp", demoOriginal(b, "label-hoodie/front.jpg")},
		{"p3-6mp", demoOriginal(b, "amber-oud-50ml/front.jpg")},
		{"srgb6mp", sixMP(b)},
		{"avif6mp", reencode(b, sixMP(b), vips.ImageTypeAVIF)},
	}
	for _, src := range sources {
		for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
			for _, w := range []int{400, 1200} {
				name := src.name + "/" + string(f) + "/" + map[int]string{400: "400w", 1200: "1200w"}[w]
				benchPair(b, name, r, src.data, transform.Spec{Width: w, Format: f, Quality: 80}, cfg)
			}
		}
	}
}
