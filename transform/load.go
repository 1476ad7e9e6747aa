package transform

import (
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// maxCoord stands for "unbounded" in a thumbnail box (libvips' own limit).
const maxCoord = 10_000_000

// load decodes the source straight to (about) the output size. libvips'
// thumbnail picks the largest shrink-on-load the format allows (JPEG DCT
// scaling, WebP scale-on-load), so a 480 px card never decodes 24 MP. It
// applies the EXIF orientation (all 8) and takes the first frame only.
//
// HEIF/AVIF are the exception: libheif already applies the container's
// rotation (irot/imir), and the EXIF orientation tag such files still carry
// is informational; orienting again would rotate twice. They are decoded,
// their orientation tag dropped, then thumbnailed.
func load(st *state) error {
	s := st.spec
	w, h := orientedSize(st.info)
	size := vips.SizeDown
	if s.Enlarge {
		size = vips.SizeBoth
	}
	tw, th := s.Width, s.Height
	// An axis the spec leaves free is still bounded by the output limits:
	// with maxCoord a 1×65535 strip came out 1×65535, and enlarge=1 on a
	// tall source asked libvips for a 4096 px wide, 400,000 px tall image.
	if tw == 0 {
		tw = st.cfg.MaxOutputWidth
	}
	if th == 0 {
		th = st.cfg.MaxOutputHeight
	}
	crop := vips.InterestingNone
	var cropAfter bool
	switch s.Fit {
	case Fill:
		size = vips.SizeForce
	case Cover:
		if c, ok := smartCrops[s.Gravity]; ok {
			crop = c
		} else {
			// Compass gravity: scale so the box is covered, then cut at the
			// named edge.
			tw, th = coverSize(w, h, s)
			cropAfter = true
		}
	}
	img, err := thumbnail(st, tw, th, crop, size)
	if err != nil {
		return corrupt(err)
	}
	st.img = img
	if cropAfter {
		cw, ch := min(s.Width, img.Width()), min(s.Height, img.Height())
		left, top := gravityOffset(s.Gravity, img.Width()-cw, img.Height()-ch)
		if err := img.ExtractArea(left, top, cw, ch); err != nil {
			return err
		}
	}
	st.qaRect = swatchInOutput(st, w, h)
	return nil
}

// thumbnail loads the source at about the box size. Two kinds of source
// are decoded first and thumbnailed after a step of our own, because
// libvips' thumbnail (vips_thumbnail_image too) would get them wrong:
//
//   - HEIF/AVIF: decoded without auto-rotation and with the orientation tag
//     removed (see load).
//   - CMYK: libvips' thumbnail converts it to its own sRGB before any step of
//     ours sees it. It picks the profile itself (one that does not fit is
//     replaced with only a libvips warning), goes through sRGB even for a P3
//     look, lands a mean ΔE2000 of 1.6 from `vips icc_transform` on the CMYK
//     fixture chart, and leaves the CMYK profile attached to the RGB result,
//     which toOutputSpace then drops with a false warning. So it is decoded
//     (with JPEG shrink-on-load) and converted to the look's space by
//     toOutputSpace here; the pipeline's own toOutputSpace step is then an
//     identity.
func thumbnail(st *state, tw, th int, crop vips.Interesting, size vips.Size) (*vips.ImageRef, error) {
	params := vips.NewImportParams() // fail on decode errors: truncated files are 422, not grey
	var prepare func(*vips.ImageRef) error
	switch {
	case st.info.Interpretation == "cmyk":
		params.AutoRotate.Set(true)
		if st.info.Type == "jpeg" {
			params.JpegShrinkFactor.Set(jpegShrink(st.info, tw, th, crop, size, 2))
		}
		prepare = func(img *vips.ImageRef) error {
			conv := *st
			conv.img = img
			return toOutputSpace(&conv)
		}
	case st.info.Type == "heif" || st.info.Type == "avif":
		params.AutoRotate.Set(false)
		prepare = (*vips.ImageRef).RemoveOrientation
	case st.info.Type == "jpeg":
		// libvips' thumbnail keeps 2× the target before its DCT shrink (a
		// 3000 px photo decodes at 1500 px for a 400 px card); the scaled
		// IDCT is already a good reducer, so shrink as far as the output
		// allows and let thumbnail finish the last factor below 2.
		params.AutoRotate.Set(true)
		params.JpegShrinkFactor.Set(jpegShrink(st.info, tw, th, crop, size, 1))
		prepare = func(*vips.ImageRef) error { return nil }
	default:
		return vips.LoadThumbnailFromBuffer(st.req.Source, tw, th, crop, size, params)
	}
	img, err := vips.LoadImageFromBuffer(st.req.Source, params)
	if err != nil {
		return nil, err
	}
	if err := prepare(img); err != nil {
		img.Close()
		return nil, err
	}
	if err := img.ThumbnailWithSize(tw, th, crop, size); err != nil {
		img.Close()
		return nil, err
	}
	return img, nil
}

// jpegShrink is the JPEG shrink-on-load factor (1, 2, 4 or 8) for a
// thumbnail box: the largest that keeps at least margin × the target size on
// the constrained axis.
func jpegShrink(i Info, tw, th int, crop vips.Interesting, size vips.Size, margin float64) int {
	w, h := orientedSize(i)
	sx, sy := float64(w)/float64(tw), float64(h)/float64(th)
	shrink := math.Max(sx, sy) // inside: the axis that needs the most
	if size == vips.SizeForce || crop != vips.InterestingNone {
		shrink = math.Min(sx, sy) // fill, cover: the box must stay covered
	}
	for _, f := range []int{8, 4, 2} {
		if shrink >= margin*float64(f) {
			return f
		}
	}
	return 1
}

// coverSize is the thumbnail box that covers the spec's box at the source's
// aspect ratio.
func coverSize(w, h int, s Spec) (int, int) {
	scale := math.Max(float64(s.Width)/float64(w), float64(s.Height)/float64(h))
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	return max(int(math.Ceil(float64(w)*scale)), 1), maxCoord
}

// swatchInOutput maps the swatch rect from source fractions to output
// fractions, following the resize and crop load made. It returns nil when
// the swatch is cut off or the crop position is not known (smart crops).
func swatchInOutput(st *state, w, h int) *[4]float64 {
	sw := st.look.Swatch
	if sw == nil {
		return nil
	}
	r := sw.Rect
	s := st.spec
	if s.Fit != Cover {
		return &r // inside, fill and contain show the whole source
	}
	if _, smart := smartCrops[s.Gravity]; smart && s.Gravity != "centre" {
		return nil
	}
	scale := math.Max(float64(s.Width)/float64(w), float64(s.Height)/float64(h))
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	sw2, sh2 := float64(w)*scale, float64(h)*scale
	outW, outH := math.Min(float64(s.Width), sw2), math.Min(float64(s.Height), sh2)
	g := gravities[s.Gravity]
	ox, oy := (sw2-outW)*g[0], (sh2-outH)*g[1]
	x0, y0 := (r[0]*sw2-ox)/outW, (r[1]*sh2-oy)/outH
	x1, y1 := ((r[0]+r[2])*sw2-ox)/outW, ((r[1]+r[3])*sh2-oy)/outH
	if x0 < 0 || y0 < 0 || x1 > 1 || y1 > 1 {
		return nil // the crop cuts the swatch: no honest measurement
	}
	return &[4]float64{x0, y0, x1 - x0, y1 - y0}
}

var smartCrops = map[string]vips.Interesting{
	"centre":    vips.InterestingCentre,
	"attention": vips.InterestingAttention,
	"entropy":   vips.InterestingEntropy,
}

// gravities are every accepted gravity, with the fractional position of the
// crop window along each axis for the compass points.
var gravities = map[string][2]float64{
	"centre":     {0.5, 0.5},
	"attention":  {0.5, 0.5},
	"entropy":    {0.5, 0.5},
	"north":      {0.5, 0},
	"south":      {0.5, 1},
	"east":       {1, 0.5},
	"west":       {0, 0.5},
	"north-east": {1, 0},
	"north-west": {0, 0},
	"south-east": {1, 1},
	"south-west": {0, 1},
}

func gravityOffset(g string, spareX, spareY int) (int, int) {
	f := gravities[g]
	return int(math.Round(f[0] * float64(spareX))), int(math.Round(f[1] * float64(spareY)))
}

// orientedSize is the source size after EXIF orientation: 5-8 swap the axes.
// HEIF is already oriented by its container.
func orientedSize(i Info) (int, int) {
	if i.Orientation >= 5 && i.Orientation <= 8 && i.Type != "heif" && i.Type != "avif" {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}
