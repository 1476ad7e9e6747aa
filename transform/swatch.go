package transform

import (
	"fmt"
	"math"
)

// swatchRectProblem says what is wrong with a swatch rect (x, y, w, h as
// fractions of the oriented source), or "" when it lies inside the image,
// as the catalog requires. A rect outside would measure nothing or a
// corner of the image: no honest calibration or QA.
func swatchRectProblem(r [4]float64) string {
	for _, v := range r {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprintf("the swatch rect %v is not a number", r)
		}
	}
	if r[0] < 0 || r[1] < 0 || r[2] <= 0 || r[3] <= 0 || r[0]+r[2] > 1 || r[1]+r[3] > 1 {
		return fmt.Sprintf("the swatch rect %v is not a non-empty [x, y, w, h] inside the image", r)
	}
	return ""
}

// swatchInOutput maps the swatch rect from source fractions to fractions
// of the variant, following plan's resize and crop and pad's placement. It
// returns nil when the swatch is cut off or the crop position is not known
// (smart crops).
func swatchInOutput(st *state) *[4]float64 {
	r := st.look.Swatch.Rect
	s := st.spec
	if s.Fit == Cover {
		c := swatchInCover(r, s, st.info)
		if c == nil {
			return nil
		}
		r = *c
	}
	if p := st.padded; p != nil {
		left, top, cw, ch := float64(p[0]), float64(p[1]), float64(p[2]), float64(p[3])
		r = [4]float64{
			(left + r[0]*cw) / float64(s.Width), (top + r[1]*ch) / float64(s.Height),
			r[2] * cw / float64(s.Width), r[3] * ch / float64(s.Height),
		}
	}
	return &r
}

// swatchInCover maps the swatch rect into a cover variant's crop window;
// inside, fill and contain show the whole source.
func swatchInCover(r [4]float64, s Spec, info Info) *[4]float64 {
	if _, smart := smartCrops[s.Gravity]; smart && s.Gravity != "centre" {
		return nil
	}
	w, h := orientedSize(info)
	scale := coverScale(w, h, s)
	sw2, sh2 := float64(w)*scale, float64(h)*scale
	outW, outH := math.Min(float64(s.Width), sw2), math.Min(float64(s.Height), sh2)
	g := gravities[s.Gravity]
	ox, oy := (sw2-outW)*g[0], (sh2-outH)*g[1]
	x0, y0 := (r[0]*sw2-ox)/outW, (r[1]*sh2-oy)/outH
	x1, y1 := ((r[0]+r[2])*sw2-ox)/outW, ((r[1]+r[3])*sh2-oy)/outH
	if x0 < 0 || y0 < 0 || x1 > 1 || y1 > 1 {
		return nil // the crop cuts the swatch: no honest measurement
	}
	return &[4]float64{x0, y0, x1 - x0, y1 - y0}
}
