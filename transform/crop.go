package transform

import "github.com/davidbyttow/govips/v2/vips"

// crop cuts a cover variant's box out of the image resize scaled to cover
// it, at the low edge, the middle or the high edge of the axis that
// overflows, as the gravity says (coverCrop). Smart crops, and every image
// libvips' thumbnail resized, were cut to the box in that pass.
func crop(st *state) error {
	if st.fitted {
		return nil
	}
	if err := cropToBox(st.img, st.box); err != nil {
		return corrupt(err)
	}
	return nil
}

// cropToBox cuts img to b where it overflows b; an image within the box on
// both axes is left as it is.
func cropToBox(img *vips.ImageRef, b box) error {
	if b.crop == vips.InterestingNone {
		return nil
	}
	w, h := img.Width(), img.Height()
	cw, ch := min(b.w, w), min(b.h, h)
	if cw == w && ch == h {
		return nil
	}
	left, top := cropOffset(b.crop, w-cw, h-ch)
	return img.ExtractArea(left, top, cw, ch)
}

// cropOffset places a crop window with spare pixels left over on each axis
// as vips_smartcrop places its low, centre and high crops.
func cropOffset(crop vips.Interesting, spareX, spareY int) (int, int) {
	switch crop {
	case vips.InterestingLow:
		return 0, 0
	case vips.InterestingHigh:
		return spareX, spareY
	}
	return spareX / 2, spareY / 2
}
