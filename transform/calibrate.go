package transform

import (
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Calibration gains are clamped: a swatch rect on the wrong spot (a label, a
// shadow) must not turn a photo purple.
const minGain, maxGain = 0.5, 2.0

// calibrate derives per-channel gains in linear light that bring the
// swatch, as the source shows it (measured by samplePipeline), to the
// declared colour: a white-balance correction, which is what a hub's
// different studio light calls for. tone applies them.
func calibrate(st *state) error {
	sw := st.look.Swatch
	if sw == nil || !st.look.Calibrate || st.swatchLinear == nil {
		return nil
	}
	st.gains = gainsToward(*st.swatchLinear, sw.Lab, st.look.rgbSpace())
	return nil
}

// gainsToward is target / measured per linear channel, clamped.
func gainsToward(measured [3]float64, target colour.Lab, space colour.RGBSpace) [3]float64 {
	r, g, b, _ := space.FromLab(target)
	tr := space.Transfer
	want := [3]float64{tr.ToLinear(r), tr.ToLinear(g), tr.ToLinear(b)}
	var gains [3]float64
	for i := range gains {
		gains[i] = 1
		if measured[i] > 1e-4 {
			gains[i] = min(max(want[i]/measured[i], minGain), maxGain)
		}
	}
	return gains
}
