package gallery

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// toLinear maps an 8-bit sRGB value to linear light.
func toLinear(v byte) float64 { return transform.LinearOf(v) }

// srgbToXYZ is sRGB's linear-light to XYZ D50 matrix, read off the colour
// package's conversion of the primaries (column c is primary c's XYZ).
var srgbToXYZ = func() (m [3]colour.XYZ) {
	for c := range m {
		var rgb [3]float64
		rgb[c] = 1
		m[c] = colour.SRGB.ToXYZD50(rgb[0], rgb[1], rgb[2])
	}
	return m
}()

// labPixels converts every pixel to CIELAB D50, once per photo: the white
// balance and exposure statistics all read Lab. It is colour.SRGB.ToLab
// with the transfer curve tabulated, several times faster on a 512 px
// sample.
func labPixels(px *transform.Pixels) []colour.Lab {
	out := make([]colour.Lab, px.Width*px.Height)
	m := srgbToXYZ
	for i := range out {
		r, g, b := toLinear(px.RGB[3*i]), toLinear(px.RGB[3*i+1]), toLinear(px.RGB[3*i+2])
		out[i] = colour.XYZD50ToLab(colour.XYZ{
			X: m[0].X*r + m[1].X*g + m[2].X*b,
			Y: m[0].Y*r + m[1].Y*g + m[2].Y*b,
			Z: m[0].Z*r + m[1].Z*g + m[2].Z*b,
		})
	}
	return out
}

// blown reports whether a pixel is clipped in every channel: it carries no
// colour information, whatever the light was.
func blown(px *transform.Pixels, i int) bool {
	const clip = 250
	return px.RGB[3*i] >= clip && px.RGB[3*i+1] >= clip && px.RGB[3*i+2] >= clip
}

// withGains is the photo with per-channel linear-light gains applied and
// clipped, as the pipeline's calibration serves it.
func withGains(px *transform.Pixels, gains [3]float64) *transform.Pixels {
	var lut [3][256]byte
	tr := colour.SRGB.Transfer
	for c := range lut {
		for v := range lut[c] {
			lin := min(toLinear(byte(v))*gains[c], 1)
			lut[c][v] = byte(math.Round(255 * tr.FromLinear(lin)))
		}
	}
	out := &transform.Pixels{Width: px.Width, Height: px.Height, RGB: make([]byte, len(px.RGB))}
	for i, v := range px.RGB {
		out.RGB[i] = lut[i%3][v]
	}
	return out
}
