package peers

import (
	"bytes"
	"image"
	"image/jpeg"
)

// octave is one layer of value noise: a lattice of random values every
// cell pixels, interpolated smoothly, scaled by amp grey levels.
type octave struct {
	cell    int
	amp     float64
	cols    int
	lattice []float64
}

// Texture layers: coarse shading, fabric-scale detail and fine structure;
// with the grain they give the entropy of a photo (a 6 MP original is about
// 2-3 MB at q90, as a camera's would be).
var octaveSpecs = []struct {
	cell int
	amp  float64
}{{160, 18}, {23, 10}, {5, 8}, {2, 6}}

const grainSigma = 4.5

func newOctave(size image.Point, cell int, amp float64, i, stream int) octave {
	cols, rows := size.X/cell+2, size.Y/cell+2
	r := newRand(i, stream)
	o := octave{cell: cell, amp: amp, cols: cols, lattice: make([]float64, cols*rows)}
	for k := range o.lattice {
		o.lattice[k] = r.Float64()*2 - 1
	}
	return o
}

// at is the octave's value at (x, y).
func (o *octave) at(x, y int) float64 {
	cx, cy := x/o.cell, y/o.cell
	fx := smooth(float64(x%o.cell) / float64(o.cell))
	fy := smooth(float64(y%o.cell) / float64(o.cell))
	k := cy*o.cols + cx
	top := o.lattice[k] + (o.lattice[k+1]-o.lattice[k])*fx
	bottom := o.lattice[k+o.cols] + (o.lattice[k+o.cols+1]-o.lattice[k+o.cols])*fx
	return (top + (bottom-top)*fy) * o.amp
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// framing is where original i's crop sits in its demo photo and its tint.
type framing struct {
	x0, y0, scale float64 // source pixels per output pixel
	gain          [3]float64
}

func frame(p photo, size image.Point, i int) framing {
	r := newRand(i, 0)
	zoom := 1 + 0.6*r.Float64() // show 1/zoom of the photo's width
	srcW := float64(p.w) / zoom
	srcH := srcW * float64(size.Y) / float64(size.X)
	srcH = min(srcH, float64(p.h)-1)
	f := framing{scale: srcW / float64(size.X)}
	f.x0 = r.Float64() * (float64(p.w) - srcW - 1)
	f.y0 = r.Float64() * (float64(p.h) - srcH - 1)
	for c := range f.gain {
		f.gain[c] = 0.85 + 0.3*r.Float64()
	}
	return f
}

// sample is the photo's colour at source position (sx, sy), bilinear.
func (p *photo) sample(sx, sy float64, out *[3]float64) {
	x, y := int(sx), int(sy)
	x, y = min(x, p.w-2), min(y, p.h-2)
	fx, fy := sx-float64(x), sy-float64(y)
	k := (y*p.w + x) * 3
	row := p.w * 3
	for c := range 3 {
		a, b := float64(p.rgb[k+c]), float64(p.rgb[k+3+c])
		d, e := float64(p.rgb[k+row+c]), float64(p.rgb[k+row+3+c])
		top, bottom := a+(b-a)*fx, d+(e-d)*fx
		out[c] = top + (bottom-top)*fy
	}
}

// encodeOriginal renders original i from photo p and encodes it as a
// baseline 4:2:0 JPEG at q90 without a profile (so sRGB by convention).
func encodeOriginal(p photo, size image.Point, i int) ([]byte, error) {
	f := frame(p, size, i)
	octaves := make([]octave, len(octaveSpecs))
	for k, s := range octaveSpecs {
		octaves[k] = newOctave(size, s.cell, s.amp, i, k+1)
	}
	chroma := newOctave(size, 40, 6, i, 9)
	grain := newRand(i, 10)
	img := image.NewRGBA(image.Rectangle{Max: size})
	var px [3]float64
	for y := range size.Y {
		sy := f.y0 + float64(y)*f.scale
		for x := range size.X {
			p.sample(f.x0+float64(x)*f.scale, sy, &px)
			luma := 0.0
			for k := range octaves {
				luma += octaves[k].at(x, y)
			}
			tint := chroma.at(x, y)
			noise := (grain.Float64() + grain.Float64() + grain.Float64() - 1.5) * 2 * grainSigma
			o := img.PixOffset(x, y)
			img.Pix[o] = clamp8(px[0]*f.gain[0] + luma + tint + noise)
			img.Pix[o+1] = clamp8(px[1]*f.gain[1] + luma + noise)
			img.Pix[o+2] = clamp8(px[2]*f.gain[2] + luma - tint + noise)
			img.Pix[o+3] = 255
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: originalQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
