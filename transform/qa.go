package transform

import (
	"errors"
	"fmt"
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
//
// A measurement that fails is reported (Result.QAWarning and a log line)
// and the variant served without a ΔE: QA reports on a render, and a bad
// swatch declaration must not take a product image down.
func qa(st *state) error {
	if st.look.Swatch == nil {
		return nil
	}
	de, err := swatchDeltaE(st)
	if err != nil {
		st.qaWarning = "the swatch could not be measured: " + trimStack(err).Error()
		st.log.Warn("colour QA failed; the variant is served without a ΔE",
			"source", st.req.SourceID, "rect", st.look.Swatch.Rect, "reason", st.qaWarning)
		return nil
	}
	st.deltaE = de
	return nil
}

// swatchDeltaE is the ΔE2000 of the swatch in the encoded variant from the
// intended colour; nil when the crop cut the swatch off.
func swatchDeltaE(st *state) (*float64, error) {
	sw := st.look.Swatch
	if reason := swatchRectProblem(sw.Rect); reason != "" {
		return nil, errors.New(reason)
	}
	r := swatchInOutput(st)
	if r == nil {
		return nil, nil
	}
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	img, err := vips.LoadImageFromBuffer(st.out.Data, params)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	w, h := img.Width(), img.Height()
	x0 := int(math.Floor(r[0] * float64(w)))
	y0 := int(math.Floor(r[1] * float64(h)))
	x1 := min(max(int(math.Ceil((r[0]+r[2])*float64(w))), x0+1), w)
	y1 := min(max(int(math.Ceil((r[1]+r[3])*float64(h))), y0+1), h)
	if x0 < 0 || y0 < 0 || x0 >= x1 || y0 >= y1 {
		return nil, fmt.Errorf("the swatch covers no pixel of the %d×%d variant", w, h)
	}
	if err := img.ExtractArea(x0, y0, x1-x0, y1-y0); err != nil {
		return nil, err
	}
	raw, err := img.ToBytes()
	if err != nil {
		return nil, err
	}
	lin := meanLinear(raw, img.Width(), img.Height(), img.Bands(), [4]float64{0, 0, 1, 1})
	de := colour.DeltaE2000(labOf(lin, st.look.rgbSpace()), intended(sw.Lab, st.look))
	return &de, nil
}
