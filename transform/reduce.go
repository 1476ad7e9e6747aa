package transform

import "github.com/davidbyttow/govips/v2/vips"

// lanczos3 scales img by hscale × vscale with libvips' Lanczos3 resize.
//
// A downscale runs both passes as vertical ones when liborc is on: the
// vertical pass, a 90° turn, the horizontal pass as a vertical one, and
// the turn back. libvips 8.14 has liborc code only for its vertical pass
// (reducev); the horizontal pass (reduceh) is plain C and was the largest
// single cost of a large variant. A 6 MP JPEG decoded and scaled to
// 2400 px takes 96 ms this way against 169 ms (pdp 1500 → 1200 px: 40
// against 53 ms; the 2048 px mezzanine: 77 against 128 ms). The geometry
// and the kernel are the same, and a quarter turn keeps the direction of
// the axis being reduced, so the pixels differ from the direct resize only
// by liborc's rounding: up to 6 levels of 255 on a photo, 0.1 on average
// (89 % of a 6 MP zoom's values are identical). Enlargements, runs with
// liborc off and reductions by 4× or more on an axis take libvips' own
// resize: from 4× libvips first shrinks by an integer factor, and that
// shrink fed by or feeding the quarter turn recomputes its input for every
// tile (a 6 MP JPEG decoded and scaled to a fifth took 10 s, against
// 0.5 s through libvips' own resize);
// after the integer shrink the plain-C pass has half the columns or fewer
// left to do.
func lanczos3(img *vips.ImageRef, hscale, vscale float64) error {
	if hscale >= 1 || vscale > 1 || hscale <= maxIntShrinkScale || vscale <= maxIntShrinkScale || !vectorEnabled() {
		return img.ResizeWithVScale(hscale, vscale, vips.KernelLanczos3)
	}
	if vscale < 1 {
		if err := img.ResizeWithVScale(1, vscale, vips.KernelLanczos3); err != nil {
			return err
		}
	}
	if err := img.Rotate(vips.Angle90); err != nil {
		return err
	}
	if err := img.ResizeWithVScale(1, hscale, vips.KernelLanczos3); err != nil {
		return err
	}
	return img.Rotate(vips.Angle270)
}

// maxIntShrinkScale is the largest scale at which libvips 8.14's resize
// starts with an integer shrink (its reducing gap of 2: a shrink of 2 from
// a reduction of 4×).
const maxIntShrinkScale = 0.25
