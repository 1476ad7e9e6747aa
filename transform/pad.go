package transform

import "github.com/davidbyttow/govips/v2/vips"

// pad centres a contained image on a box of exactly the requested size,
// transparent where the output keeps alpha, the background colour otherwise.
// It notes where the image went: qa looks for the swatch there.
func pad(st *state) error {
	s := st.spec
	img := st.img
	if s.Fit != Contain || (img.Width() >= s.Width && img.Height() >= s.Height) {
		return nil
	}
	cw, ch := img.Width(), img.Height()
	left, top := (s.Width-cw)/2, (s.Height-ch)/2
	st.padded = &[4]int{left, top, cw, ch}
	bg, _ := parseHex(s.Background)
	if img.HasAlpha() {
		return img.EmbedBackgroundRGBA(left, top, s.Width, s.Height, &vips.ColorRGBA{R: bg[0], G: bg[1], B: bg[2], A: 0})
	}
	return img.EmbedBackground(left, top, s.Width, s.Height, &vips.Color{R: bg[0], G: bg[1], B: bg[2]})
}
