package transform

import (
	"github.com/davidbyttow/govips/v2/vips"
)

// toSRGB converts the image to 8-bit sRGB: through its embedded ICC profile
// when it has one (Adobe RGB, Display P3, ProPhoto, CMYK), with libvips'
// built-in CMYK profile for untagged CMYK, and assuming sRGB otherwise.
// ICC transforms run at the source depth (16 bits stay 16) and the depth of
// all bands, alpha included, is reduced together afterwards.
func toSRGB(st *state) error {
	img := st.img
	interp := img.Interpretation()
	if img.HasICCProfile() || interp == vips.InterpretationCMYK {
		fallback := "srgb"
		if interp == vips.InterpretationCMYK {
			fallback = "cmyk"
		}
		if err := img.TransformICCProfileWithFallback("srgb", fallback); err != nil {
			return corrupt(err)
		}
	}
	switch img.Interpretation() {
	case vips.InterpretationSRGB, vips.InterpretationBW:
		if img.BandFormat() == vips.BandFormatUchar {
			return nil
		}
	}
	target := vips.InterpretationSRGB
	if img.Bands() <= 2 && img.Interpretation() != vips.InterpretationCMYK {
		target = vips.InterpretationBW
	}
	if err := img.ToColorSpace(target); err != nil {
		return corrupt(err)
	}
	if img.BandFormat() != vips.BandFormatUchar {
		return img.Cast(vips.BandFormatUchar)
	}
	return nil
}

// flatten composites alpha onto the background for formats without alpha.
// Only images that really have alpha are flattened: libvips treats the last
// band as alpha whatever it holds.
func flatten(st *state) error {
	if st.spec.Format != JPEG || !st.img.HasAlpha() {
		return nil
	}
	bg, _ := parseHex(st.spec.Background)
	return st.img.Flatten(&vips.Color{R: bg[0], G: bg[1], B: bg[2]})
}

// pad centres a contained image on a box of exactly the requested size.
func pad(st *state) error {
	s := st.spec
	img := st.img
	if s.Fit != Contain || (img.Width() >= s.Width && img.Height() >= s.Height) {
		return nil
	}
	left, top := (s.Width-img.Width())/2, (s.Height-img.Height())/2
	bg, _ := parseHex(s.Background)
	if img.HasAlpha() {
		return img.EmbedBackgroundRGBA(left, top, s.Width, s.Height, &vips.ColorRGBA{R: bg[0], G: bg[1], B: bg[2], A: 0})
	}
	return img.EmbedBackground(left, top, s.Width, s.Height, &vips.Color{R: bg[0], G: bg[1], B: bg[2]})
}
