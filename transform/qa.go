package transform

import (
	"math"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// intended is the declared colour as the look means to show it: through the
// locale's tone (a warm profile is warm on purpose), without calibration.
// QA compares against this, so it flags what went wrong, not what was asked.
func intended(declared colour.Lab, look Look) colour.Lab {
	space := look.rgbSpace()
	m := toneMatrix(look.Tone, [3]float64{1, 1, 1}, space)
	if isIdentity(m) {
		return declared
	}
	r, g, b, _ := space.FromLab(declared)
	tr := space.Transfer
	in := [3]float64{tr.ToLinear(r), tr.ToLinear(g), tr.ToLinear(b)}
	var out [3]float64
	for i := range 3 {
		for j := range 3 {
			out[i] += m[i][j] * in[j]
		}
	}
	return labOf(out, space)
}

// qa measures the swatch as the buyer gets it — the encoded variant, after
// calibration, tone, conversion to the output space and compression — and
// records its CIEDE2000 distance from the declared colour. A swatch cut off
// by the crop is not measured. (Measuring the encoded bytes also sidesteps
// re-reading the pipeline's sequential-access image.)
func qa(st *state) error {
	sw, r := st.look.Swatch, st.qaRect
	if sw == nil || r == nil {
		return nil
	}
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	img, err := vips.LoadImageFromBuffer(st.out.Data, params)
	if err != nil {
		return err
	}
	defer img.Close()
	w, h := img.Width(), img.Height()
	x0 := int(math.Floor(r[0] * float64(w)))
	y0 := int(math.Floor(r[1] * float64(h)))
	x1 := min(max(int(math.Ceil((r[0]+r[2])*float64(w))), x0+1), w)
	y1 := min(max(int(math.Ceil((r[1]+r[3])*float64(h))), y0+1), h)
	if x0 < 0 || y0 < 0 || x0 >= x1 || y0 >= y1 {
		return nil
	}
	if err := img.ExtractArea(x0, y0, x1-x0, y1-y0); err != nil {
		return err
	}
	raw, err := img.ToBytes()
	if err != nil {
		return err
	}
	lin := meanLinear(raw, img.Width(), img.Height(), img.Bands(), [4]float64{0, 0, 1, 1})
	de := colour.DeltaE2000(labOf(lin, st.look.rgbSpace()), intended(sw.Lab, st.look))
	st.deltaE = &de
	return nil
}
