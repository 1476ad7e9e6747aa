package transform

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// srgbLinear maps an 8-bit value to linear light through the sRGB curve,
// which Display P3 shares.
var srgbLinear = func() (t [256]float64) {
	for i := range t {
		t[i] = colour.SRGB.Transfer.ToLinear(float64(i) / 255)
	}
	return t
}()

// measureSwatch averages the swatch rect of samplePipeline's image in
// linear light, for calibrate.
func measureSwatch(st *state) error {
	img := st.img
	raw, err := img.ToBytes()
	if err != nil {
		return corrupt(err)
	}
	m := meanLinear(raw, img.Width(), img.Height(), img.Bands(), st.look.Swatch.Rect)
	st.swatchLinear = &m
	return nil
}

// MeasureRect returns the mean colour of a rectangle of an sRGB image (x, y,
// w, h as fractions) as CIELAB D50. Pixels are averaged in linear light, as a
// colorimeter would, then converted to Lab.
func MeasureRect(px *Pixels, rect [4]float64) colour.Lab {
	return labOf(meanLinear(px.RGB, px.Width, px.Height, 3, rect), colour.SRGB)
}

// meanLinear averages the first three bands of 8-bit pixels over a rect, in
// linear light. A rect that covers no pixel averages to black rather than
// reading outside the rows.
func meanLinear(raw []byte, width, height, bands int, rect [4]float64) [3]float64 {
	x0 := max(int(math.Floor(rect[0]*float64(width))), 0)
	y0 := max(int(math.Floor(rect[1]*float64(height))), 0)
	x1 := min(max(int(math.Ceil((rect[0]+rect[2])*float64(width))), x0+1), width)
	y1 := min(max(int(math.Ceil((rect[1]+rect[3])*float64(height))), y0+1), height)
	var sum [3]float64
	if x0 >= x1 || y0 >= y1 {
		return sum
	}
	n := 0
	for y := y0; y < y1; y++ {
		row := raw[bands*(y*width+x0) : bands*(y*width+x1)]
		for i := 0; i+2 < len(row); i += bands {
			sum[0] += srgbLinear[row[i]]
			sum[1] += srgbLinear[row[i+1]]
			sum[2] += srgbLinear[row[i+2]]
		}
		n += x1 - x0
	}
	return [3]float64{sum[0] / float64(n), sum[1] / float64(n), sum[2] / float64(n)}
}

// labOf converts a linear-light RGB triple of a space to CIELAB D50.
func labOf(lin [3]float64, space colour.RGBSpace) colour.Lab {
	tr := space.Transfer
	return colour.XYZD50ToLab(space.ToXYZD50(tr.FromLinear(lin[0]), tr.FromLinear(lin[1]), tr.FromLinear(lin[2])))
}
