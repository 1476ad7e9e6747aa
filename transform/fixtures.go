package transform

import (
	"fmt"
	"os"

	"github.com/davidbyttow/govips/v2/vips"
)

// SourceOptions describe how MakeSource encodes a made-up original.
type SourceOptions struct {
	// Cast multiplies the linear-light R, G, B channels, e.g. a warm tungsten
	// cast {1.10, 1.0, 0.78}; nil leaves the colours alone.
	Cast *[3]float64
	// ProfilePath converts the sRGB image to this ICC profile (a file, or
	// libvips' built-in "p3") and embeds it; "" writes untagged sRGB.
	ProfilePath string
	Quality     int
}

// MakeSource builds an original photo for the demo catalog and test
// fixtures: it rasterises an SVG (or reads a raster), optionally applies a
// lighting cast, converts to an output profile and writes a JPEG. It is a
// build-time tool (an SVG is rasterised at the size its width and height
// attributes give), never used while serving: it trusts its input.
func MakeSource(src []byte, opts SourceOptions) ([]byte, error) {
	img, err := vips.LoadImageFromBuffer(src, vips.NewImportParams())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if img.HasAlpha() {
		if err := img.Flatten(&vips.Color{R: 255, G: 255, B: 255}); err != nil {
			return nil, err
		}
	}
	if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
		return nil, err
	}
	if opts.Cast != nil {
		// Light mixes linearly, so the cast is applied in linear light.
		if err := img.ToColorSpace(vips.InterpretationScRGB); err != nil {
			return nil, err
		}
		c := *opts.Cast
		if err := img.Linear([]float64{c[0], c[1], c[2]}, []float64{0, 0, 0}); err != nil {
			return nil, err
		}
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return nil, err
		}
	}
	if err := img.RemoveICCProfile(); err != nil {
		return nil, err
	}
	if opts.ProfilePath != "" {
		if err := img.TransformICCProfileWithFallback(opts.ProfilePath, "srgb"); err != nil {
			return nil, fmt.Errorf("convert to %s: %w", opts.ProfilePath, err)
		}
	}
	p := vips.NewJpegExportParams()
	p.Quality = orDefault(opts.Quality, 90)
	p.OptimizeCoding = true
	p.Interlace = false
	out, _, err := img.ExportJpeg(p)
	return out, err
}

// WriteProfile writes ICC bytes to a temporary file for MakeSource, which
// (like libvips) takes profiles by path. The caller removes it.
func WriteProfile(icc []byte) (string, error) {
	f, err := os.CreateTemp("", "edgeshelf-*.icc")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(icc); err != nil {
		return "", err
	}
	return f.Name(), nil
}
