package transform

import (
	"bytes"
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// load decodes the source straight to (about) the output size. JPEGs
// shrink on load (DCT scaling), other formats through libvips' thumbnail
// (WebP scale-on-load). It applies the EXIF orientation (all 8) and takes
// the first frame only.
//
// HEIF/AVIF are the exception: libheif already applies the container's
// rotation (irot/imir), and the EXIF orientation tag such files still carry
// is informational; orienting again would rotate twice. They are decoded,
// their orientation tag dropped, then resized.
func load(st *state) error {
	s := st.spec
	w, h := orientedSize(st.info)
	size := vips.SizeDown
	if s.Enlarge {
		size = vips.SizeBoth
	}
	tw, th := s.Width, s.Height
	// An axis the spec leaves free is still bounded by the output limits:
	// with an unbounded box a 1×65535 strip came out 1×65535, and enlarge=1
	// on a tall source asked libvips for a 4096 px wide, 400,000 px tall
	// image.
	if tw == 0 {
		tw = st.cfg.MaxOutputWidth
	}
	if th == 0 {
		th = st.cfg.MaxOutputHeight
	}
	crop := vips.InterestingNone
	switch s.Fit {
	case Fill:
		size = vips.SizeForce
	case Cover:
		crop = coverCrop(s, w, h)
	}
	var (
		img *vips.ImageRef
		err error
	)
	if s.Fit == Cover && coverScale(w, h, s) > 1 {
		img, err = enlargeCover(st, crop)
	} else {
		img, err = thumbnail(st, tw, th, crop, size)
	}
	if err != nil {
		return corrupt(err)
	}
	st.img = img
	st.qaRect = swatchInOutput(st, w, h)
	return nil
}

// coverScale is the scale at which a w×h source covers the spec's box; it
// is at most 1 unless the spec may enlarge.
func coverScale(w, h int, s Spec) float64 {
	scale := math.Max(float64(s.Width)/float64(w), float64(s.Height)/float64(h))
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	return scale
}

// coverCrop is the libvips crop that places a cover crop where the spec's
// gravity says. A cover crop only ever cuts one axis — the one on which the
// source is relatively longer than the box — so a compass point is the low
// edge, the middle or the high edge of that axis.
func coverCrop(s Spec, w, h int) vips.Interesting {
	if c, ok := smartCrops[s.Gravity]; ok {
		return c
	}
	g := gravities[s.Gravity]
	along := g[1]
	if int64(w)*int64(s.Height) > int64(h)*int64(s.Width) {
		along = g[0] // wider than the box: the crop cuts x
	}
	switch along {
	case 0:
		return vips.InterestingLow
	case 1:
		return vips.InterestingHigh
	}
	return vips.InterestingCentre
}

// enlargeCover makes a cover variant that must enlarge: it cuts the part
// of the source the box shows, then scales that part to exactly the box.
// Enlarging first and cropping after, as libvips' thumbnail does, would
// build the whole enlarged source: for a 3000×3 strip in a 100×800 box that
// is an 800,000×800 image to keep 100 columns of.
func enlargeCover(st *state, crop vips.Interesting) (*vips.ImageRef, error) {
	s := st.spec
	w, h := orientedSize(st.info)
	scale := coverScale(w, h, s)
	cw := min(max(int(math.Round(float64(s.Width)/scale)), 1), w)
	ch := min(max(int(math.Round(float64(s.Height)/scale)), 1), h)
	// The window spans the source on one axis, so a cw×ch cover that may
	// not enlarge is that window cut out at the source's own scale, placed
	// by the same crop (smart crops included).
	img, err := thumbnail(st, cw, ch, crop, vips.SizeDown)
	if err != nil {
		return nil, err
	}
	hscale, vscale := float64(s.Width)/float64(img.Width()), float64(s.Height)/float64(img.Height())
	if err := img.ResizeWithVScale(hscale, vscale, vips.KernelLanczos3); err != nil {
		img.Close()
		return nil, err
	}
	return img, nil
}

// thumbnail loads the source at about the box size. JPEG, HEIF/AVIF and
// CMYK sources are decoded first (see decode) and resized after; the rest go
// through libvips' thumbnail, which picks their scale-on-load itself.
func thumbnail(st *state, tw, th int, crop vips.Interesting, size vips.Size) (*vips.ImageRef, error) {
	shrink := 1
	switch {
	case st.info.Interpretation == "cmyk":
		if st.info.Type == "jpeg" {
			shrink = jpegShrink(st.info, tw, th, crop, size, 2)
		}
	case st.info.Type == "heif" || st.info.Type == "avif":
		// libheif cannot decode at a reduced size; the thumbnail item many
		// cameras and phones embed is HEIF's scale-on-load.
		img, err := heifThumbnail(st, tw, th, crop, size)
		if err != nil {
			return nil, err
		}
		if img != nil {
			if err := resizeDecoded(img, tw, th, crop, size); err != nil {
				img.Close()
				return nil, err
			}
			return img, nil
		}
	case st.info.Type == "jpeg":
		// libvips' thumbnail keeps 2× the target before its DCT shrink (a
		// 3000 px photo decodes at 1500 px for a 400 px card); the scaled
		// IDCT is already a good reducer, so shrink as far as the output
		// allows and let the resize finish the last factor below 2.
		shrink = jpegShrink(st.info, tw, th, crop, size, 1)
	default:
		return vips.LoadThumbnailFromBuffer(st.req.Source, tw, th, crop, size, vips.NewImportParams())
	}
	img, err := decode(st, shrink)
	if err != nil {
		return nil, err
	}
	if err := resizeDecoded(img, tw, th, crop, size); err != nil {
		img.Close()
		return nil, err
	}
	return img, nil
}

// heifThumbnail decodes the thumbnail item of a HEIF/AVIF source instead of
// its primary image when the thumbnail holds at least as many pixels as the
// variant keeps from the primary, and is scaled to exactly the size the
// primary would have been reduced to, so the variant's geometry does not
// depend on which was decoded. A 4032×3024 phone photo with a 512×384
// thumbnail decodes 12 M pixels fewer for a 400 px card. It returns nil (and
// the caller decodes the primary) when the source has no thumbnail, or one
// too small, of another shape, with alpha, or whose colour profile differs
// from the primary's.
func heifThumbnail(st *state, tw, th int, crop vips.Interesting, size vips.Size) (*vips.ImageRef, error) {
	w, h := orientedSize(st.info)
	hshrink, vshrink := thumbnailShrink(w, h, tw, th, crop != vips.InterestingNone, size)
	if hshrink < 2 && vshrink < 2 {
		return nil, nil // no thumbnail can be both smaller than the primary and big enough
	}
	needW, needH := int(math.Round(float64(w)/hshrink)), int(math.Round(float64(h)/vshrink))
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	params.HeifThumbnail.Set(true)
	img, err := vips.LoadImageFromBuffer(st.req.Source, params)
	if err != nil {
		return nil, err
	}
	tW, tH := img.Width(), img.Height()
	if tW >= w || tW < needW || tH < needH || !sameShape(tW, tH, w, h) || img.HasAlpha() ||
		!bytes.Equal(img.GetICCProfile(), st.info.ICCProfile) {
		img.Close() // none (libvips gave the primary), or unfit
		return nil, nil
	}
	err = img.RemoveOrientation()
	if err == nil && (tW != needW || tH != needH) {
		err = img.ResizeWithVScale(float64(needW)/float64(tW), float64(needH)/float64(tH), vips.KernelLanczos3)
	}
	if err != nil {
		img.Close()
		return nil, err
	}
	st.fromThumbnail = true
	return img, nil
}

// sameShape reports whether a tw×th thumbnail has the shape of a w×h image:
// the width its height predicts, within a pixel of rounding and 1 %.
func sameShape(tw, th, w, h int) bool {
	predicted := float64(th) * float64(w) / float64(h)
	return math.Abs(float64(tw)-predicted) <= 1+predicted/100
}

// decode loads the whole first frame of a JPEG, HEIF/AVIF or CMYK source,
// upright, with a JPEG shrink-on-load factor. These get a step of our own,
// because libvips' thumbnail (vips_thumbnail_image too) would get them
// wrong:
//
//   - HEIF/AVIF: decoded without auto-rotation and with the orientation tag
//     removed (see load).
//   - CMYK: libvips' thumbnail converts it to its own sRGB before any step of
//     ours sees it. It picks the profile itself (one that does not fit is
//     replaced with only a libvips warning), goes through sRGB even for a P3
//     look, lands a mean ΔE2000 of 1.6 from `vips icc_transform` on the CMYK
//     fixture chart, and leaves the CMYK profile attached to the RGB result,
//     which toOutputSpace then drops with a false warning. So it is
//     converted to the look's space by toOutputSpace here; the pipeline's
//     own toOutputSpace step is then an identity.
//   - JPEG: to shrink on load further than libvips' thumbnail does.
func decode(st *state, shrink int) (*vips.ImageRef, error) {
	params := vips.NewImportParams() // fail on decode errors: truncated files are 422, not grey
	var prepare func(*vips.ImageRef) error
	switch st.info.Type {
	case "heif", "avif":
		params.AutoRotate.Set(false)
		prepare = (*vips.ImageRef).RemoveOrientation
	default: // JPEG, or CMYK as JPEG or TIFF: loaders that orient on load
		params.AutoRotate.Set(true)
		if st.info.Type == "jpeg" {
			params.JpegShrinkFactor.Set(shrink)
		}
	}
	if st.info.Interpretation == "cmyk" {
		prepare = func(img *vips.ImageRef) error {
			conv := *st
			conv.img = img
			return toOutputSpace(&conv)
		}
	}
	img, err := vips.LoadImageFromBuffer(st.req.Source, params)
	if err != nil {
		return nil, err
	}
	if prepare != nil {
		if err := prepare(img); err != nil {
			img.Close()
			return nil, err
		}
	}
	return img, nil
}

// resizeDecoded brings a decoded, upright image to a thumbnail box with
// exactly the geometry of libvips' vips_thumbnail_image (same shrink
// factors, same vips_resize, same crop placement), without its costs that
// only pay off for a sequential-access source: the line cache it puts in
// front of the image and the copy of the whole resized image to memory
// before a crop. That is 3.6 % fewer instructions on a 6 MP JPEG rendered at
// 400 px. Images whose thumbnail would do more than resize and crop — alpha
// to premultiply, a colour space or depth to convert, an orientation to
// apply, frames, a smart crop that reads the image twice — still go
// through libvips' thumbnail.
func resizeDecoded(img *vips.ImageRef, tw, th int, crop vips.Interesting, size vips.Size) error {
	interp := img.Interpretation()
	if img.HasAlpha() || img.BandFormat() != vips.BandFormatUchar || img.Orientation() > 1 || img.Pages() > 1 ||
		(interp != vips.InterpretationSRGB && interp != vips.InterpretationBW) ||
		crop == vips.InterestingAttention || crop == vips.InterestingEntropy {
		return img.ThumbnailWithSize(tw, th, crop, size)
	}
	hshrink, vshrink := thumbnailShrink(img.Width(), img.Height(), tw, th, crop != vips.InterestingNone, size)
	if err := img.ResizeWithVScale(1/hshrink, 1/vshrink, vips.KernelLanczos3); err != nil {
		return err
	}
	if crop == vips.InterestingNone {
		return nil
	}
	w, h := img.Width(), img.Height()
	cw, ch := min(tw, w), min(th, h)
	if cw == w && ch == h {
		return nil
	}
	left, top := cropOffset(crop, w-cw, h-ch)
	return img.ExtractArea(left, top, cw, ch)
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
	scale := coverScale(w, h, s)
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

// orientedSize is the source size after EXIF orientation: 5-8 swap the axes.
// HEIF is already oriented by its container.
func orientedSize(i Info) (int, int) {
	if i.Orientation >= 5 && i.Orientation <= 8 && i.Type != "heif" && i.Type != "avif" {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}
