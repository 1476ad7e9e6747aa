package transform

import "github.com/davidbyttow/govips/v2/vips"

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
