package transform

import "github.com/davidbyttow/govips/v2/vips"

// enlargeCover scales the window a cover variant keeps up to its box, for
// the cover variants that enlarge (plan cut the window at the source's own
// scale so that only the kept pixels are enlarged).
func enlargeCover(st *state) error {
	to := st.box.enlargeTo
	if to == [2]int{} {
		return nil
	}
	img := st.img
	hscale, vscale := float64(to[0])/float64(img.Width()), float64(to[1])/float64(img.Height())
	if err := img.ResizeWithVScale(hscale, vscale, vips.KernelLanczos3); err != nil {
		return corrupt(err)
	}
	return nil
}
