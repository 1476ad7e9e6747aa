package transform

import (
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// resize scales a decoded, upright image for its box: to fit inside it,
// to fill it exactly, or to cover it (crop then cuts what overflows).
// Images libvips' thumbnail made are at their size already.
func resize(st *state) error {
	if st.fitted {
		return nil
	}
	if err := scaleToBox(st.img, st.box); err != nil {
		return corrupt(err)
	}
	return nil
}

// scaleToBox scales with exactly the geometry of libvips'
// vips_thumbnail_image (same shrink factors, the same Lanczos3 resize, run
// as lanczos3 runs it), without its costs that only pay off for a
// sequential-access source: the line cache it puts in front of the image
// and the copy of the whole resized image to memory before a crop. That is 3.6 % fewer instructions on a 6 MP JPEG
// rendered at 400 px. Images whose thumbnail would do more than resize and
// crop — alpha to premultiply, a colour space or depth to convert, an
// orientation to apply, frames, a smart crop that reads the image twice —
// still go through libvips' thumbnail, which then crops them to the box
// itself.
func scaleToBox(img *vips.ImageRef, b box) error {
	interp := img.Interpretation()
	if img.HasAlpha() || img.BandFormat() != vips.BandFormatUchar || img.Orientation() > 1 || img.Pages() > 1 ||
		(interp != vips.InterpretationSRGB && interp != vips.InterpretationBW) ||
		b.crop == vips.InterestingAttention || b.crop == vips.InterestingEntropy {
		return img.ThumbnailWithSize(b.w, b.h, b.crop, b.size)
	}
	hshrink, vshrink := thumbnailShrink(img.Width(), img.Height(), b.w, b.h, b.crop != vips.InterestingNone, b.size)
	return lanczos3(img, 1/hshrink, 1/vshrink)
}

// thumbnailShrink is libvips' vips_thumbnail_calculate_shrink: the factors
// by which each axis of a w×h image shrinks to fit (or, cropping, to fill)
// a tw×th box.
func thumbnailShrink(w, h, tw, th int, crop bool, size vips.Size) (float64, float64) {
	hshrink, vshrink := float64(w)/float64(tw), float64(h)/float64(th)
	// Fit: the axis that needs the most shrinking decides; fill: the least.
	horizontal := hshrink >= vshrink
	if crop {
		horizontal = hshrink < vshrink
	}
	if size != vips.SizeForce {
		if horizontal {
			vshrink = hshrink
		} else {
			hshrink = vshrink
		}
	}
	switch size {
	case vips.SizeUp:
		hshrink, vshrink = math.Min(1, hshrink), math.Min(1, vshrink)
	case vips.SizeDown:
		hshrink, vshrink = math.Max(1, hshrink), math.Max(1, vshrink)
	}
	// Never shrink an axis to nothing.
	return math.Min(hshrink, float64(w)), math.Min(vshrink, float64(h))
}
