package transform

import (
	"strings"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// toOutputSpace converts the image from its embedded ICC profile (Adobe RGB,
// Display P3, ProPhoto, grey…) to the look's output space and attaches that
// space's compact profile, after resampling. A CMYK image was converted
// before (cmykToOutputSpace).
func toOutputSpace(st *state) error {
	if st.inOutputSpace {
		return nil
	}
	return convertToOutputSpace(st)
}

// convertToOutputSpace does toOutputSpace's conversion, for CMYK too.
// Untagged RGB is taken as sRGB, untagged CMYK gets libvips' built-in CMYK
// profile.
//
// An embedded profile that does not fit the pixels (an RGB profile on a CMYK
// JPEG, say) is dropped and the default used, decided here and logged: left
// to libvips it would fall back with only a warning.
//
// The transform runs at the source's depth (16-bit stays 16-bit) and the
// depth of every band, alpha included, is reduced together afterwards.
func convertToOutputSpace(st *state) error {
	img := st.img
	interp := img.Interpretation()
	cmyk := interp == vips.InterpretationCMYK
	if img.HasICCProfile() {
		want := "RGB "
		switch {
		case cmyk:
			want = "CMYK"
		case img.Bands() <= 2:
			want = "GRAY"
		}
		hdr, err := colour.ParseHeader(img.GetICCProfile())
		if err != nil || hdr.ColourSpace != want {
			got := "unreadable"
			if err == nil {
				got = strings.TrimSpace(hdr.ColourSpace)
			}
			st.log.Warn("ignoring an embedded ICC profile that does not fit the image",
				"source", st.req.SourceID, "image", strings.TrimSpace(want), "profile", got)
			if err := img.RemoveICCProfile(); err != nil {
				return err
			}
		}
	}
	if !img.HasICCProfile() && !cmyk && st.look.Space == SRGB &&
		img.Bands() >= 3 && img.BandFormat() == vips.BandFormatUchar && img.Interpretation() == vips.InterpretationSRGB {
		st.containerICC = srgbProfile
		return nil
	}
	fallback := profilePath(SRGB)
	switch {
	case cmyk:
		fallback = "cmyk"
	case img.Bands() <= 2 && !img.HasICCProfile():
		// Untagged grey: make it sRGB grey so the sRGB fallback applies.
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return corrupt(err)
		}
	}
	if err := img.TransformICCProfileWithFallback(profilePath(st.look.Space), fallback); err != nil {
		return corrupt(err)
	}
	if img.BandFormat() != vips.BandFormatUchar {
		// RGB16 → 8-bit for all bands together (alpha rescaled, not clipped).
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return corrupt(err)
		}
	}
	if img.BandFormat() != vips.BandFormatUchar {
		return img.Cast(vips.BandFormatUchar)
	}
	return nil
}
