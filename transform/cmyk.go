package transform

// cmykToOutputSpace converts a CMYK image to the look's space before it is
// resampled, where every other image is converted after (toOutputSpace).
//
// Left as CMYK, resize would hand it to libvips' thumbnail, which converts
// CMYK to its own sRGB first: it picks the profile itself (one that does
// not fit is replaced with only a libvips warning), goes through sRGB even
// for a P3 look, lands a mean ΔE2000 of 1.6 from `vips icc_transform` on
// the CMYK fixture chart, and leaves the CMYK profile attached to the RGB
// result. Converted here, the image needs nothing more from toOutputSpace.
// (The pipeline used to convert it again, from our profile to itself: that
// was checked to be an exact identity on all 2^24 8-bit colours for both
// output profiles, so skipping it changed no byte.)
func cmykToOutputSpace(st *state) error {
	if st.info.Interpretation != "cmyk" {
		return nil
	}
	if err := convertToOutputSpace(st); err != nil {
		return corrupt(err)
	}
	st.inOutputSpace = true
	return nil
}
