package transform

import (
	"fmt"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Calibration gains are clamped: a swatch rect on the wrong spot (a label, a
// shadow) must not turn a photo purple.
const minGain, maxGain = 0.5, 2.0

// calibrate measures the swatch on the source and derives per-channel gains
// in linear light that bring it to the declared colour: a white-balance
// correction, which is what a hub's different studio light calls for. The
// gains are measured on a small, whole-frame decode (so crops never hide the
// swatch) and cached per source, so only the first variant pays for it.
func calibrate(st *state) error {
	sw := st.look.Swatch
	if sw == nil || !st.look.Calibrate {
		return nil
	}
	key := fmt.Sprintf("%s|%s|%v", st.req.SourceID, st.look.Space, sw.Rect)
	if st.req.SourceID != "" && st.cal != nil {
		if g, ok := st.cal.Get(key); ok {
			st.gains = g
			return nil
		}
	}
	measured, err := measureSwatch(st)
	if err != nil {
		return err
	}
	st.gains = gainsToward(measured, sw.Lab, st.look.rgbSpace())
	if st.req.SourceID != "" && st.cal != nil {
		st.cal.Add(key, st.gains)
	}
	return nil
}

// measureSwatch decodes the whole source at about 512 px, converts it to the
// output space like the variant, and averages the swatch rect in linear light.
func measureSwatch(st *state) ([3]float64, error) {
	m := &state{cfg: st.cfg, req: st.req, look: st.look, info: st.info, log: st.log}
	img, err := thumbnail(m, 512, 512, vips.InterestingNone, vips.SizeDown)
	if err != nil {
		return [3]float64{}, corrupt(err)
	}
	m.img = img
	defer img.Close()
	if err := toOutputSpace(m); err != nil {
		return [3]float64{}, err
	}
	raw, err := img.ToBytes()
	if err != nil {
		return [3]float64{}, corrupt(err)
	}
	return meanLinear(raw, img.Width(), img.Height(), img.Bands(), st.look.Swatch.Rect), nil
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
