package transform_test

import (
	"context"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// BenchmarkMiss is a 400 px variant miss of a 2400×2400 (5.8 MP) original,
// JPEG, PNG and AVIF (no thumbnail item), rendered to JPEG, WebP and AVIF: from the original as
// before the pyramid, from the mezzanine Pick chooses (a miss once the
// original's pyramid is in memory or the store), and the first miss of an
// original, which builds the pyramid and then renders. Run with
//
//	go test ./transform/ -run '^$' -bench Miss -benchtime 20x
func BenchmarkMiss(b *testing.B) {
	cfg := defaultConfig(b)
	r := newRenderer(b, cfg)
	jpeg := demoOriginal(b, "amber-oud-50ml/front.jpg")
	sources := []struct {
		name string
		data []byte
	}{{"jpeg", jpeg}, {"png", pngOf(b, jpeg)}, {"avif", reencode(b, jpeg, vips.ImageTypeAVIF)}}
	ctx := context.Background()
	for _, src := range sources {
		pyr, err := r.BuildPyramid(ctx, src.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src.name+"/build", func(b *testing.B) {
			for b.Loop() {
				if _, err := r.BuildPyramid(ctx, src.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
			spec := transform.Spec{Width: 400, Format: f}
			i := pyr.Pick(spec, cfg, cfg.PyramidMinRatio)
			if i < 0 {
				b.Fatalf("%s: no level for a 400 px variant", src.name)
			}
			name := src.name + "/" + string(f)
			b.Run(name+"/original", func(b *testing.B) { benchRender(b, r, src.data, spec) })
			b.Run(name+"/pyramid", func(b *testing.B) { benchRender(b, r, pyr.Levels[i].Data, spec) })
			b.Run(name+"/build+render", func(b *testing.B) {
				for b.Loop() {
					p, err := r.BuildPyramid(ctx, src.data)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := r.Render(ctx, transform.Request{Source: p.Levels[i].Data, Spec: spec}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func benchRender(b *testing.B, r *transform.Renderer, src []byte, spec transform.Spec) {
	b.Helper()
	for b.Loop() {
		if _, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec}); err != nil {
			b.Fatal(err)
		}
	}
}

func pngOf(tb testing.TB, src []byte) []byte {
	tb.Helper()
	img, err := vips.LoadImageFromBuffer(src, vips.NewImportParams())
	if err != nil {
		tb.Fatal(err)
	}
	defer img.Close()
	out, _, err := img.ExportPng(&vips.PngExportParams{Compression: 6})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
