package transform

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// srgbLinear maps an 8-bit sRGB value to linear light.
var srgbLinear = func() (t [256]float64) {
	for i := range t {
		t[i] = colour.SRGB.Transfer.ToLinear(float64(i) / 255)
	}
	return t
}()

// MeasureRect returns the mean colour of a rectangle of the image (x, y, w, h
// as fractions) as CIELAB D50. Pixels are averaged in linear light, as a
// colorimeter would, then converted to Lab.
func MeasureRect(px *Pixels, rect [4]float64) colour.Lab {
	x0 := int(math.Floor(rect[0] * float64(px.Width)))
	y0 := int(math.Floor(rect[1] * float64(px.Height)))
	x1 := max(int(math.Ceil((rect[0]+rect[2])*float64(px.Width))), x0+1)
	y1 := max(int(math.Ceil((rect[1]+rect[3])*float64(px.Height))), y0+1)
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, px.Width), min(y1, px.Height)
	var r, g, b float64
	n := 0
	for y := y0; y < y1; y++ {
		row := px.RGB[3*(y*px.Width+x0) : 3*(y*px.Width+x1)]
		for i := 0; i < len(row); i += 3 {
			r += srgbLinear[row[i]]
			g += srgbLinear[row[i+1]]
			b += srgbLinear[row[i+2]]
		}
		n += x1 - x0
	}
	if n == 0 {
		return colour.Lab{}
	}
	tr := colour.SRGB.Transfer
	fn := float64(n)
	xyz := colour.SRGB.ToXYZD50(tr.FromLinear(r/fn), tr.FromLinear(g/fn), tr.FromLinear(b/fn))
	return colour.XYZD50ToLab(xyz)
}
