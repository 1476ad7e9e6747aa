package transform

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// MeasureRect returns the mean colour of a rectangle of the image (x, y, w, h
// as fractions) as CIELAB D50. Pixels are averaged in linear light (XYZ), as
// a colorimeter would, then converted to Lab.
func MeasureRect(px *Pixels, rect [4]float64) colour.Lab {
	x0 := int(math.Floor(rect[0] * float64(px.Width)))
	y0 := int(math.Floor(rect[1] * float64(px.Height)))
	x1 := max(int(math.Ceil((rect[0]+rect[2])*float64(px.Width))), x0+1)
	y1 := max(int(math.Ceil((rect[1]+rect[3])*float64(px.Height))), y0+1)
	x1, y1 = min(x1, px.Width), min(y1, px.Height)
	var sum colour.XYZ
	n := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			r, g, b := px.At(x, y)
			c := colour.SRGB.ToXYZD50(float64(r)/255, float64(g)/255, float64(b)/255)
			sum.X += c.X
			sum.Y += c.Y
			sum.Z += c.Z
			n++
		}
	}
	if n == 0 {
		return colour.Lab{}
	}
	return colour.XYZD50ToLab(colour.XYZ{X: sum.X / float64(n), Y: sum.Y / float64(n), Z: sum.Z / float64(n)})
}
