package transform

import (
	"errors"
	"math"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// tone applies the calibration gains and the locale's tone (temperature,
// saturation, exposure) as one 3×3 matrix in linear light, in the output
// space: light mixes linearly, so white balance and exposure are channel
// gains there, and saturation is a mix toward each pixel's luminance.
func tone(st *state) error {
	m := toneMatrix(st.look.Tone, st.gains, st.look.rgbSpace())
	if isIdentity(m) {
		return nil
	}
	img := st.img
	icc := img.GetICCProfile()
	var alpha *vips.ImageRef
	if img.HasAlpha() {
		a, err := img.ExtractBandToImage(img.Bands()-1, 1)
		if err != nil {
			return err
		}
		defer a.Close()
		alpha = a
		if err := img.ExtractBand(0, 3); err != nil {
			return err
		}
	}
	if err := img.ToColorSpace(vips.InterpretationScRGB); err != nil {
		return corrupt(err)
	}
	mixed, err := applyMatrix(img, m)
	if err != nil {
		return corrupt(err)
	}
	img.Close()
	img, st.img = mixed, mixed
	if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
		return corrupt(err)
	}
	if img.BandFormat() != vips.BandFormatUchar {
		if err := img.Cast(vips.BandFormatUchar); err != nil {
			return err
		}
	}
	if alpha != nil {
		if err := img.BandJoin(alpha); err != nil {
			return err
		}
	}
	if len(icc) > 0 && !img.HasICCProfile() {
		// libvips operations carry metadata through; losing the profile here
		// would silently mislabel the variant.
		return errors.New("tone: the output profile was lost")
	}
	return nil
}

// applyMatrix returns out_i = Σ_j m[i][j] · in_j for a 3-band float image.
//
// It is built from per-band linear ops rather than govips' Recomb, which is
// unsafe here: it hands libvips a Go slice without a copy (read lazily,
// after it may be collected) and reads libvips' process-wide error buffer,
// so it fails on another render's error message.
func applyMatrix(img *vips.ImageRef, m [][]float64) (*vips.ImageRef, error) {
	if m[0][1] == 0 && m[0][2] == 0 && m[1][0] == 0 && m[1][2] == 0 && m[2][0] == 0 && m[2][1] == 0 {
		out, err := img.Copy()
		if err != nil {
			return nil, err
		}
		if err := out.Linear([]float64{m[0][0], m[1][1], m[2][2]}, []float64{0, 0, 0}); err != nil {
			out.Close()
			return nil, err
		}
		return out, nil
	}
	bands, err := img.BandSplit()
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range bands {
			b.Close()
		}
	}()
	rows := make([]*vips.ImageRef, 3)
	for i := range 3 {
		acc, err := bands[0].Copy()
		if err != nil {
			return nil, err
		}
		rows[i] = acc
		if err := acc.Linear1(m[i][0], 0); err != nil {
			return nil, err
		}
		for j := 1; j < 3; j++ {
			term, err := bands[j].Copy()
			if err != nil {
				return nil, err
			}
			err = term.Linear1(m[i][j], 0)
			if err == nil {
				err = acc.Add(term)
			}
			term.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	defer rows[1].Close()
	defer rows[2].Close()
	if err := rows[0].BandJoin(rows[1], rows[2]); err != nil {
		rows[0].Close()
		return nil, err
	}
	out, err := rows[0].CopyChangingInterpretation(vips.InterpretationScRGB)
	rows[0].Close()
	return out, err
}

// toneMatrix composes saturation × temperature × exposure × calibration.
func toneMatrix(t Tone, gains [3]float64, space colour.RGBSpace) [][]float64 {
	luma := [3]float64{space.ToXYZD50(1, 0, 0).Y, space.ToXYZD50(0, 1, 0).Y, space.ToXYZD50(0, 0, 1).Y}
	// Temperature: opposite red/blue gains, normalised to keep white's luminance.
	k := t.Temperature / 2000
	temp := [3]float64{1 + k, 1, 1 - k}
	n := luma[0]*temp[0] + luma[1]*temp[1] + luma[2]*temp[2]
	exp := math.Pow(2, t.Exposure)
	var diag [3]float64
	for i := range diag {
		diag[i] = temp[i] / n * exp * gains[i]
	}
	s := t.Saturation
	if s == 0 {
		s = 1
	}
	m := make([][]float64, 3)
	for i := range 3 {
		m[i] = make([]float64, 3)
		for j := range 3 {
			sat := (1 - s) * luma[j]
			if i == j {
				sat += s
			}
			m[i][j] = sat * diag[j]
		}
	}
	return m
}

func isIdentity(m [][]float64) bool {
	for i := range 3 {
		for j := range 3 {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(m[i][j]-want) > 1e-6 {
				return false
			}
		}
	}
	return true
}
