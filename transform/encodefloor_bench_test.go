package transform_test

import (
	"context"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// productPage is what one page view asks of an original: every preset of
// the demo catalog (thumb, card, pdp, zoom), as the peers benchmark asks
// them of its 3000×2000 originals.
func productPage(tb testing.TB) []transform.Spec {
	var out []transform.Spec
	for _, p := range demoCatalog(tb).Presets {
		out = append(out, transform.Spec{Width: p.Width, Height: p.Height, Fit: transform.Fit(p.Fit)})
	}
	return out
}

// BenchmarkEncodeFloor bounds what any render-side design can gain on
// product-page misses (issue #16). Per page, in one run and on one thread
// as the servers render, at the peers benchmark's settings (q80, WebP
// effort 4, AVIF speed 8, baseline JPEG):
//
//   - peer-render: every preset rendered from the 6 MP original the way
//     imgproxy does it on this libvips (JPEG shrink-on-load as far as the
//     size allows, libvips' resize, a centre crop for cover, the encoder);
//   - render: edgeshelf's pipeline from the same original (no pyramid);
//   - encode: the encoder alone, on each variant's pixels already decoded,
//     resized and in memory.
//
// A server that decoded and resized for free would still render a page at
// best peer-render/encode times faster than imgproxy: the ceiling-x metric.
//
//	go test ./transform/ -run '^$' -bench EncodeFloor -benchtime 5x
func BenchmarkEncodeFloor(b *testing.B) {
	cfg := defaultConfig(b)
	cfg.WebPEffort, cfg.AVIFSpeed, cfg.JPEGProgressive = 4, 8, false
	cfg.SRGBProfile = transform.SRGBProfileOmit
	r := newRenderer(b, cfg)
	src := sixMP(b)
	page := productPage(b)
	for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
		pixels := make([][]byte, len(page)) // each variant as an uncompressed PNG
		for i, spec := range page {
			spec.Format, spec.Quality = transform.PNG, 80
			res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec})
			if err != nil {
				b.Fatal(err)
			}
			pixels[i] = uncompressedPNG(b, res.Data)
		}
		b.Run(string(f), func(b *testing.B) {
			var peer, render, enc time.Duration
			for b.Loop() {
				for i, spec := range page {
					peer += peerRender(b, src, spec, f, cfg)
					spec.Format, spec.Quality = f, 80
					start := time.Now()
					if _, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec}); err != nil {
						b.Fatal(err)
					}
					render += time.Since(start)
					enc += encodeOnly(b, pixels[i], f, cfg)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(peer.Milliseconds())/n, "peer-render-ms/page")
			b.ReportMetric(float64(render.Milliseconds())/n, "render-ms/page")
			b.ReportMetric(float64(enc.Milliseconds())/n, "encode-ms/page")
			b.ReportMetric(peer.Seconds()/enc.Seconds(), "ceiling-x")
		})
	}
}

// peerRender renders spec from a 3000×2000 JPEG as imgproxy does and says
// how long it took.
func peerRender(b *testing.B, src []byte, spec transform.Spec, f transform.Format, cfg transform.Config) time.Duration {
	b.Helper()
	start := time.Now()
	scale := float64(spec.Width) / 3000 // fit inside a width
	if spec.Fit == transform.Cover {
		scale = max(float64(spec.Width)/3000, float64(spec.Height)/2000)
	}
	shrink := 1
	for _, s := range []int{8, 4, 2} {
		if 1/float64(s) >= scale {
			shrink = s
			break
		}
	}
	p := vips.NewImportParams()
	p.JpegShrinkFactor.Set(shrink)
	img, err := vips.LoadImageFromBuffer(src, p)
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	residual := scale * float64(shrink)
	if err := img.ResizeWithVScale(residual, residual, vips.KernelLanczos3); err != nil {
		b.Fatal(err)
	}
	if spec.Fit == transform.Cover {
		err = img.ExtractArea((img.Width()-spec.Width)/2, (img.Height()-spec.Height)/2, spec.Width, spec.Height)
	}
	if err == nil {
		_, err = encodeDirect(img, f, 80, cfg)
	}
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// encodeOnly is how long encoding png's pixels in format f takes: the time
// to load and encode them less the time to load and copy them out, so the
// PNG read is not counted.
func encodeOnly(b *testing.B, png []byte, f transform.Format, cfg transform.Config) time.Duration {
	b.Helper()
	load := func(out func(*vips.ImageRef) error) time.Duration {
		img, err := vips.LoadImageFromBuffer(png, vips.NewImportParams())
		if err != nil {
			b.Fatal(err)
		}
		defer img.Close()
		start := time.Now()
		if err := out(img); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	copyOut := load(func(img *vips.ImageRef) error { _, err := img.ToBytes(); return err })
	encode := load(func(img *vips.ImageRef) error { _, err := encodeDirect(img, f, 80, cfg); return err })
	return max(encode-copyOut, 0)
}

func uncompressedPNG(tb testing.TB, data []byte) []byte {
	tb.Helper()
	img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		tb.Fatal(err)
	}
	defer img.Close()
	out, _, err := img.ExportPng(&vips.PngExportParams{Compression: 0, Filter: vips.PngFilterNone})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
