package transform_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/transform"
)

func defaultConfig(tb testing.TB) transform.Config {
	tb.Helper()
	cfg, err := config.Load(nil, nil, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg.Transform
}

func demoOriginal(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "demo", "originals", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkRender compares our pipeline with the same operation done by
// calling govips directly (thumbnail with shrink-on-load, then the encoder
// with the same settings). The ratio of the two is our pipeline's overhead:
// header inspection, colour management, the render slot.
func BenchmarkRender(b *testing.B) {
	cfg := defaultConfig(b)
	r, err := transform.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	src := demoOriginal(b, "label-hoodie/front.jpg") // 1200×1200 sRGB JPEG
	presets := []struct {
		name  string
		width int
	}{{"card", 480}, {"pdp", 1200}}
	for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
		for _, p := range presets {
			spec := transform.Spec{Width: p.width, Fit: transform.Inside, Format: f}
			b.Run(string(f)+"/"+p.name+"/pipeline", func(b *testing.B) {
				for b.Loop() {
					if _, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(string(f)+"/"+p.name+"/govips", func(b *testing.B) {
				for b.Loop() {
					directRender(b, src, p.width, f, cfg)
				}
			})
		}
	}
}

// directRender is the baseline: the fewest govips calls that produce the
// same variant.
func directRender(b *testing.B, src []byte, width int, f transform.Format, cfg transform.Config) {
	img, err := vips.LoadThumbnailFromBuffer(src, width, 10_000_000, vips.InterestingNone, vips.SizeDown, vips.NewImportParams())
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	switch f {
	case transform.JPEG:
		p := vips.NewJpegExportParams()
		p.StripMetadata, p.Quality, p.OptimizeCoding, p.Interlace = true, cfg.QualityJPEG, true, width*width > 400*400
		_, _, err = img.ExportJpeg(p)
	case transform.WebP:
		p := vips.NewWebpExportParams()
		p.StripMetadata, p.Quality, p.ReductionEffort = true, cfg.QualityWebP, cfg.WebPEffort
		_, _, err = img.ExportWebp(p)
	case transform.AVIF:
		p := vips.NewAvifExportParams()
		p.StripMetadata, p.Quality, p.Effort = true, cfg.QualityAVIF, 9-cfg.AVIFSpeed
		_, _, err = img.ExportAvif(p)
	}
	if err != nil {
		b.Fatal(err)
	}
}
