package transform_test

import (
	"context"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// productPage is the peers benchmark's product page (bench/peers Presets):
// what one page view asks of a 3000×2000 original.
var productPage = []transform.Spec{
	{Width: 200, Height: 200, Fit: transform.Cover}, // thumb
	{Width: 480},  // card
	{Width: 1200}, // pdp
	{Width: 2400}, // zoom
}

// BenchmarkEncodeFloor bounds what any render-side design can gain on
// product-page misses (issue #16). Per page, in one run and on one thread
// as the servers render: "render" is every preset rendered from the 6 MP
// original (what a server without a pyramid does, imgproxy included, on the
// same libvips), "encode" is only the encoder's share: each variant's
// pixels already decoded, resized and in memory, encoded at the same
// settings as the peers benchmark (q80, WebP effort 4, AVIF speed 8,
// baseline JPEG). Even a server that decoded and resized for free would
// render a page at best render/encode times faster: the ceiling-x metric.
//
//	go test ./transform/ -run '^$' -bench EncodeFloor -benchtime 5x
func BenchmarkEncodeFloor(b *testing.B) {
	cfg := defaultConfig(b)
	cfg.WebPEffort, cfg.AVIFSpeed, cfg.JPEGProgressive = 4, 8, false
	cfg.SRGBProfile = transform.SRGBProfileOmit
	r, err := transform.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	src := sixMP(b)
	for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
		pixels := make([][]byte, len(productPage)) // each variant as an uncompressed PNG
		for i, spec := range productPage {
			spec.Format, spec.Quality = transform.PNG, 80
			res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec})
			if err != nil {
				b.Fatal(err)
			}
			pixels[i] = uncompressedPNG(b, res.Data)
		}
		b.Run(string(f), func(b *testing.B) {
			var render, enc time.Duration
			for b.Loop() {
				for i, spec := range productPage {
					spec.Format, spec.Quality = f, 80
					start := time.Now()
					if _, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec}); err != nil {
						b.Fatal(err)
					}
					render += time.Since(start)
					enc += encodeOnly(b, pixels[i], f)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(render.Milliseconds())/n, "render-ms/page")
			b.ReportMetric(float64(enc.Milliseconds())/n, "encode-ms/page")
			b.ReportMetric(render.Seconds()/enc.Seconds(), "ceiling-x")
		})
	}
}

// encodeOnly is how long encoding png's pixels in format f takes: the time
// to load and encode them less the time to load and copy them out, so the
// PNG read is not counted.
func encodeOnly(b *testing.B, png []byte, f transform.Format) time.Duration {
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
	encode := load(func(img *vips.ImageRef) error {
		var err error
		switch f {
		case transform.JPEG:
			p := vips.NewJpegExportParams()
			p.Quality, p.OptimizeCoding = 80, true
			_, _, err = img.ExportJpeg(p)
		case transform.WebP:
			p := vips.NewWebpExportParams()
			p.Quality, p.ReductionEffort = 80, 4
			_, _, err = img.ExportWebp(p)
		default:
			p := vips.NewAvifExportParams()
			p.Quality, p.Effort = 80, 9-8 // libvips effort is 9 - AV1 speed
			_, _, err = img.ExportAvif(p)
		}
		return err
	})
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
