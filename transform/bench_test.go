package transform_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// defaultConfig is the shipped configuration (config's TestTransformDefaults
// checks that transform.Defaults equals what the binary loads).
func defaultConfig(tb testing.TB) transform.Config {
	tb.Helper()
	return transform.Defaults()
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
	r := newRenderer(b, cfg)
	src := demoOriginal(b, "label-hoodie/front.jpg") // 1200×1200 sRGB JPEG
	presets := []struct {
		name  string
		width int
	}{{"card", 480}, {"pdp", 1200}}
	for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
		for _, p := range presets {
			spec := transform.Spec{Width: p.width, Fit: transform.Inside, Format: f}
			benchPair(b, string(f)+"/"+p.name, r, src, spec, cfg)
		}
	}
}

// benchPair benchmarks one variant through the pipeline and through the
// govips baseline, side by side in one run, after checking once that both
// render it at the same, requested width: a benchmark of a failing render,
// or of a baseline making a different image, measures nothing.
func benchPair(b *testing.B, name string, r *transform.Renderer, src []byte, spec transform.Spec, cfg transform.Config) {
	b.Helper()
	req := transform.Request{Source: src, Spec: spec}
	b.Run(name+"/pipeline", func(b *testing.B) {
		res, err := r.Render(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		_, w, h, err := directRender(src, spec, cfg)
		if err != nil {
			b.Fatal(err)
		}
		checkEncoded(b, res.Data, spec.Width, h)
		if res.Width != w || res.Height != h {
			b.Fatalf("the pipeline rendered %d×%d, the baseline %d×%d", res.Width, res.Height, w, h)
		}
		for b.Loop() {
			if _, err := r.Render(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(name+"/govips", func(b *testing.B) {
		data, _, h, err := directRender(src, spec, cfg)
		if err != nil {
			b.Fatal(err)
		}
		checkEncoded(b, data, spec.Width, h)
		for b.Loop() {
			if _, _, _, err := directRender(src, spec, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// checkEncoded fails the benchmark unless data decodes to w×h.
func checkEncoded(b *testing.B, data []byte, w, h int) {
	b.Helper()
	img, err := vips.NewImageFromBuffer(data)
	if err != nil {
		b.Fatalf("the encoded variant does not decode: %v", err)
	}
	defer img.Close()
	if img.Width() != w || img.Height() != h {
		b.Fatalf("the encoded variant is %d×%d, want %d×%d", img.Width(), img.Height(), w, h)
	}
}

// directRender is the baseline: the fewest govips calls that produce the
// variant an inside-fit spec asks for, encoded with the settings the
// pipeline uses for it — the spec's quality or the configured default,
// JPEG's optimised coding and progressive scan past 400×400 px, the WebP
// effort and AVIF speed. It manages no colour and writes no metadata: that
// work is part of the overhead measured.
func directRender(src []byte, spec transform.Spec, cfg transform.Config) (data []byte, w, h int, err error) {
	img, err := vips.LoadThumbnailFromBuffer(src, spec.Width, cfg.MaxOutputHeight, vips.InterestingNone, vips.SizeDown, vips.NewImportParams())
	if err != nil {
		return nil, 0, 0, err
	}
	defer img.Close()
	data, err = encodeDirect(img, spec.Format, spec.Quality, cfg)
	return data, img.Width(), img.Height(), err
}

// encodeDirect encodes img in format f with govips alone, metadata
// stripped, at quality q (0: cfg's default for f) and cfg's encoder
// settings: what the pipeline's encoder is measured against.
func encodeDirect(img *vips.ImageRef, f transform.Format, q int, cfg transform.Config) (data []byte, err error) {
	switch f {
	case transform.JPEG:
		p := vips.NewJpegExportParams()
		p.StripMetadata, p.Quality, p.OptimizeCoding = true, orDefault(q, cfg.QualityJPEG), true
		p.Interlace = cfg.JPEGProgressive && img.Width()*img.Height() > 400*400
		data, _, err = img.ExportJpeg(p)
	case transform.WebP:
		p := vips.NewWebpExportParams()
		p.StripMetadata, p.Quality, p.ReductionEffort = true, orDefault(q, cfg.QualityWebP), cfg.WebPEffort
		data, _, err = img.ExportWebp(p)
	case transform.AVIF:
		p := vips.NewAvifExportParams()
		p.StripMetadata, p.Quality, p.Effort = true, orDefault(q, cfg.QualityAVIF), 9-cfg.AVIFSpeed
		data, _, err = img.ExportAvif(p)
	default:
		err = fmt.Errorf("encodeDirect: no baseline for %q", f)
	}
	return data, err
}

// orDefault is the quality the pipeline encodes at: the spec's, else the
// configured default for the format.
func orDefault(q, def int) int {
	if q > 0 {
		return q
	}
	return def
}
