package fidelity

import (
	"errors"
	"math"
)

// scaleWeights are MS-SSIM's exponents per scale, finest first (Wang,
// Simoncelli & Bovik 2003). A small image uses fewer scales, its weights
// renormalised.
var scaleWeights = [5]float64{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}

// minScaleSide is the shortest side a coarser scale may have: below it the
// Gaussian window sees mostly clamped edges.
const minScaleSide = 8

// SSIM's stabilising constants for a 0..100 (L*) range: (0.01 L)², (0.03 L)².
const (
	c1 = 1.0
	c2 = 9.0
)

// kernel is the 11-tap Gaussian window, σ 1.5, normalised.
var kernel = func() (k [11]float32) {
	var sum float64
	w := make([]float64, len(k))
	for i := range w {
		d := float64(i - len(k)/2)
		w[i] = math.Exp(-d * d / (2 * 1.5 * 1.5))
		sum += w[i]
	}
	for i := range k {
		k[i] = float32(w[i] / sum)
	}
	return k
}()

// Reference is an image prepared once for scoring many candidates against
// it: its pyramid, and at each scale its local mean and variance.
type Reference struct {
	scales []refScale
}

type refScale struct {
	p          Plane
	mu, sigma2 []float32
}

// NewReference prepares p as the reference.
func NewReference(p Plane) *Reference {
	r := &Reference{}
	for len(r.scales) < len(scaleWeights) {
		mu := blur(p, p.Pix)
		sq := make([]float32, len(p.Pix))
		for i, v := range p.Pix {
			sq[i] = v * v
		}
		sigma2 := blur(p, sq)
		for i := range sigma2 {
			sigma2[i] -= mu[i] * mu[i]
		}
		r.scales = append(r.scales, refScale{p: p, mu: mu, sigma2: sigma2})
		if min(p.W, p.H)/2 < minScaleSide {
			break
		}
		p = p.half()
	}
	return r
}

// Score is the MS-SSIM of d against the reference: 1 for identical
// images, lower as structure is lost. d must have the reference's size.
func (r *Reference) Score(d Plane) (float64, error) {
	top := r.scales[0].p
	if d.W != top.W || d.H != top.H || len(d.Pix) != len(top.Pix) {
		return 0, errors.New("fidelity: the candidate's size differs from the reference's")
	}
	var wsum float64
	for i := range r.scales {
		wsum += scaleWeights[i]
	}
	score := 1.0
	for i, rs := range r.scales {
		if i > 0 {
			d = d.half()
		}
		v := rs.compare(d, i == len(r.scales)-1)
		score *= math.Pow(max(v, 0), scaleWeights[i]/wsum)
	}
	return min(score, 1), nil // float32 sums can overshoot 1 by 1e-4 on flat images
}

// Score is the MS-SSIM of b against a.
func Score(a, b Plane) (float64, error) {
	return NewReference(a).Score(b)
}

// DSSIM is the dissimilarity form of a score, 1/score − 1: 0 for identical
// images, growing without bound; easier to read than 0.99x scores.
func DSSIM(score float64) float64 {
	if score <= 0 {
		return math.Inf(1)
	}
	return 1/score - 1
}

// compare is the mean contrast-structure term of d against the reference
// at this scale, times the luminance term at the coarsest scale.
func (rs refScale) compare(d Plane, coarsest bool) float64 {
	p := rs.p
	mu := blur(d, d.Pix)
	sq := make([]float32, len(d.Pix))
	cross := make([]float32, len(d.Pix))
	for i, v := range d.Pix {
		sq[i] = v * v
		cross[i] = v * p.Pix[i]
	}
	sigma2 := blur(d, sq)
	sigmaXY := blur(d, cross)
	var sum float64
	for i := range mu {
		sx2 := float64(rs.sigma2[i])
		sy2 := float64(sigma2[i]) - float64(mu[i])*float64(mu[i])
		sxy := float64(sigmaXY[i]) - float64(rs.mu[i])*float64(mu[i])
		v := (2*sxy + c2) / (sx2 + sy2 + c2)
		if coarsest {
			mx, my := float64(rs.mu[i]), float64(mu[i])
			v *= (2*mx*my + c1) / (mx*mx + my*my + c1)
		}
		sum += v
	}
	return sum / float64(len(mu))
}

// blur is the Gaussian-weighted local mean of values (laid out as p),
// separable, edges clamped.
func blur(p Plane, values []float32) []float32 {
	w, h := p.W, p.H
	r := len(kernel) / 2
	tmp := make([]float32, len(values))
	for y := range h {
		row := values[y*w : (y+1)*w]
		dst := tmp[y*w : (y+1)*w]
		for x := range w {
			if x >= r && x+r < w { // inside: no clamping, no bounds checks
				win := (*[len(kernel)]float32)(row[x-r : x+r+1])
				var s float32
				for k, kv := range kernel {
					s += kv * win[k]
				}
				dst[x] = s
				continue
			}
			var s float32
			for k, kv := range kernel {
				s += kv * row[min(max(x+k-r, 0), w-1)]
			}
			dst[x] = s
		}
	}
	out := make([]float32, len(values))
	for y := range h {
		for k, kv := range kernel {
			src := tmp[min(max(y+k-r, 0), h-1)*w:]
			dst := out[y*w : (y+1)*w]
			for x := range dst {
				dst[x] += kv * src[x]
			}
		}
	}
	return out
}
