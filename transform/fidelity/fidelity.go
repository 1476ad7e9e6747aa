// Package fidelity scores how faithfully a compressed image keeps its
// reference: multi-scale SSIM (Wang, Simoncelli & Bovik 2003) on CIE L*,
// the lightness of the linear-light luminance. No well-kept Go port of
// SSIMULACRA2 or butteraugli exists, and MS-SSIM over a perceptually
// uniform lightness is what DSSIM does for its luma term: it catches the
// blocking, ringing and blur lossy encoders trade for bytes, at a cost
// small enough to run on a handful of trial encodes per variant.
//
// Chroma is left to the caller: transform bounds the swatch's ΔE2000, the
// colour a buyer compares, separately.
package fidelity

import (
	"errors"
	"math"
)

// Plane is one channel of an image, row-major.
type Plane struct {
	W, H int
	Pix  []float32
}

// srgbToLinear maps 8-bit sRGB-encoded values (Display P3 shares the curve)
// to linear light.
var srgbToLinear = func() (t [256]float32) {
	for i := range t {
		v := float64(i) / 255
		if v <= 0.04045 {
			t[i] = float32(v / 12.92)
		} else {
			t[i] = float32(math.Pow((v+0.055)/1.055, 2.4))
		}
	}
	return t
}()

// Lightness converts interleaved 8-bit pixels (1 or 2 bands: grey, grey +
// alpha; 3 or 4: RGB, RGB + alpha) to a CIE L* plane (0..100). Alpha is
// ignored: both images of a comparison carry the same alpha. The luminance
// weights are sRGB's (Rec. 709); for Display P3 they differ by a few
// percent, which moves both images alike.
func Lightness(raw []byte, w, h, bands int) (Plane, error) {
	if w <= 0 || h <= 0 || bands < 1 || bands > 4 || len(raw) < w*h*bands {
		return Plane{}, errors.New("fidelity: pixel buffer does not match its size")
	}
	p := Plane{W: w, H: h, Pix: make([]float32, w*h)}
	for i := range p.Pix {
		px := raw[i*bands:]
		var y float32
		if bands >= 3 {
			y = 0.2126*srgbToLinear[px[0]] + 0.7152*srgbToLinear[px[1]] + 0.0722*srgbToLinear[px[2]]
		} else {
			y = srgbToLinear[px[0]]
		}
		p.Pix[i] = lstar(y)
	}
	return p, nil
}

// lstar is CIE L* of a relative luminance.
func lstar(y float32) float32 {
	const eps, kappa = 216.0 / 24389, 24389.0 / 27
	if y <= eps {
		return y * kappa
	}
	return 116*float32(math.Cbrt(float64(y))) - 16
}

// half is the plane downsampled 2× by averaging 2×2 blocks (an odd last
// row or column is repeated).
func (p Plane) half() Plane {
	w, h := (p.W+1)/2, (p.H+1)/2
	out := Plane{W: w, H: h, Pix: make([]float32, w*h)}
	for y := range h {
		y0, y1 := 2*y, min(2*y+1, p.H-1)
		for x := range w {
			x0, x1 := 2*x, min(2*x+1, p.W-1)
			out.Pix[y*w+x] = (p.Pix[y0*p.W+x0] + p.Pix[y0*p.W+x1] + p.Pix[y1*p.W+x0] + p.Pix[y1*p.W+x1]) / 4
		}
	}
	return out
}
