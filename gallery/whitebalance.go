package gallery

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Near-neutral pixels are what a photographer reads white balance from: the
// white or grey backdrop, a label, the highlights of glass. They are found
// in two passes because a cast moves them off a*b* = 0: first every pixel
// bright enough and of low enough chroma to be a neutral under a strong
// cast (tungsten pushes b* of a grey card past +20), then those close to
// that crowd's median, which drops the pale product colours the first pass
// let in.
const (
	neutralMinL       = 40   // below, noise and shadow colour dominate
	neutralMaxL       = 99   // above, highlights are clipped or nearly
	neutralCandidateC = 30.0 // pass 1: chroma a strong cast can give a neutral
	neutralCluster    = 6.0  // pass 2: a*b* distance from the crowd's median
	// neutralMinShare is the share of pixels below which a photo has too few
	// neutrals to read a cast from (a red hoodie on a blown-out backdrop).
	neutralMinShare = 0.01
)

// WhiteBalance is where a photo's neutrals sit in the a*b* plane (0, 0 is
// neutral under D50; +b* is warm/yellow, -b* cool/blue, +a* magenta, -a*
// green). Neutral is false when the photo has too few neutrals; A and B are
// then the grey-world mean of all unclipped pixels, which only compares
// with the grey-world means of other photos of the same product.
type WhiteBalance struct {
	Neutral      bool    `json:"neutral"`
	A            float64 `json:"a"`
	B            float64 `json:"b"`
	NeutralShare float64 `json:"neutral_share"`
	GreyWorldA   float64 `json:"grey_world_a"`
	GreyWorldB   float64 `json:"grey_world_b"`
}

// whiteBalance measures the neutral cast of a photo, with its grey-world
// mean alongside.
func whiteBalance(px *transform.Pixels, lab []colour.Lab) WhiteBalance {
	gw := greyWorld(px)
	wb := WhiteBalance{A: gw.A, B: gw.B, GreyWorldA: gw.A, GreyWorldB: gw.B}
	candA := newHistogram(-neutralCandidateC, neutralCandidateC, 0.05)
	candB := newHistogram(-neutralCandidateC, neutralCandidateC, 0.05)
	var cand []int
	for i, p := range lab {
		if p.L < neutralMinL || p.L > neutralMaxL || blown(px, i) || math.Hypot(p.A, p.B) > neutralCandidateC {
			continue
		}
		cand = append(cand, i)
		candA.add(p.A)
		candB.add(p.B)
	}
	minCount := int(neutralMinShare * float64(len(lab)))
	if len(cand) < max(minCount, 1) {
		return wb
	}
	ca, cb := candA.quantile(0.5), candB.quantile(0.5)
	var sa, sb float64
	n := 0
	for _, i := range cand {
		if p := lab[i]; math.Hypot(p.A-ca, p.B-cb) <= neutralCluster {
			sa, sb = sa+p.A, sb+p.B
			n++
		}
	}
	if n < max(minCount, 1) {
		return wb
	}
	wb.Neutral, wb.A, wb.B = true, sa/float64(n), sb/float64(n)
	wb.NeutralShare = float64(n) / float64(len(lab))
	return wb
}

// greyWorld is the mean colour of the unclipped pixels, averaged in linear
// light: the fallback cast estimate for photos with few neutrals.
func greyWorld(px *transform.Pixels) colour.Lab {
	var sum [3]float64
	n := 0
	for i := range px.Width * px.Height {
		if blown(px, i) {
			continue
		}
		for c := range 3 {
			sum[c] += toLinear(px.RGB[3*i+c])
		}
		n++
	}
	if n == 0 {
		return colour.Lab{L: 100}
	}
	tr := colour.SRGB.Transfer
	f := float64(n)
	return colour.SRGB.ToLab(tr.FromLinear(sum[0]/f), tr.FromLinear(sum[1]/f), tr.FromLinear(sum[2]/f))
}
