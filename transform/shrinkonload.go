package transform

import (
	"bytes"
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// shrinkOnLoad decodes the first frame of the source, at a reduced size
// where the format can decode one: a JPEG through its scaled IDCT, a
// HEIF/AVIF through its thumbnail item.
//
// Formats without a decoder of our own go through libvips' thumbnail,
// which picks their scale-on-load itself (WebP's) and, in the same pass,
// orients, resizes and crops them to the box: that is why orient, resize
// and crop leave such an image be. JPEG, HEIF/AVIF and CMYK cannot go that
// way: libvips' thumbnail shrinks a JPEG on load less than the output
// allows, rotates a HEIF twice (see orient) and converts CMYK to its own
// sRGB (see cmykToOutputSpace).
func shrinkOnLoad(st *state) error {
	b := st.box
	var (
		img *vips.ImageRef
		err error
	)
	switch {
	case st.info.Interpretation == "cmyk":
		shrink := 1
		if st.info.Type == "jpeg" {
			// CMYK keeps libvips' thumbnail's margin of 2: only RGB JPEGs
			// were moved to shrinking as far as the output allows.
			shrink = jpegShrink(st.info, b, 2)
		}
		img, err = loadFrame(st, shrink)
	case st.info.Type == "heif" || st.info.Type == "avif":
		img, err = heifThumbnail(st)
		if err == nil && img == nil {
			img, err = loadFrame(st, 1)
		}
	case st.info.Type == "jpeg":
		// libvips' thumbnail keeps 2× the target before its DCT shrink (a
		// 3000 px photo decodes at 1500 px for a 400 px card); the scaled
		// IDCT is already a good reducer, so shrink as far as the output
		// allows and let resize finish the last factor below 2.
		img, err = loadFrame(st, jpegShrink(st.info, b, 1))
	default:
		img, err = vips.LoadThumbnailFromBuffer(st.req.Source, b.w, b.h, b.crop, b.size, vips.NewImportParams())
		st.fitted = true
	}
	if err != nil {
		return corrupt(err)
	}
	st.img = img
	return nil
}

// loadFrame decodes the first frame whole, with a JPEG's shrink factor, as
// stored: orient and the colour steps come after.
func loadFrame(st *state, shrink int) (*vips.ImageRef, error) {
	params := vips.NewImportParams() // fail on decode errors: truncated files are 422, not grey
	params.AutoRotate.Set(false)
	if st.info.Type == "jpeg" {
		params.JpegShrinkFactor.Set(shrink)
	}
	return vips.LoadImageFromBuffer(st.req.Source, params)
}

// jpegShrink is the JPEG shrink-on-load factor (1, 2, 4 or 8) for a box:
// the largest that keeps at least margin × the target size on the
// constrained axis.
func jpegShrink(i Info, b box, margin float64) int {
	w, h := orientedSize(i)
	sx, sy := float64(w)/float64(b.w), float64(h)/float64(b.h)
	shrink := math.Max(sx, sy) // inside: the axis that needs the most
	if b.size == vips.SizeForce || b.crop != vips.InterestingNone {
		shrink = math.Min(sx, sy) // fill, cover: the box must stay covered
	}
	for _, f := range []int{8, 4, 2} {
		if shrink >= margin*float64(f) {
			return f
		}
	}
	return 1
}

// heifThumbnail decodes the thumbnail item of a HEIF/AVIF source instead of
// its primary image when the thumbnail holds at least as many pixels as the
// variant keeps from the primary, and scales it to exactly the size the
// primary would have been reduced to, so the variant's geometry does not
// depend on which was decoded. A 4032×3024 phone photo with a 512×384
// thumbnail decodes 12 M pixels fewer for a 400 px card. It returns nil (and
// the caller decodes the primary) when the source has no thumbnail, or one
// too small, of another shape, with alpha, or whose colour profile differs
// from the primary's.
func heifThumbnail(st *state) (*vips.ImageRef, error) {
	b := st.box
	w, h := orientedSize(st.info)
	hshrink, vshrink := thumbnailShrink(w, h, b.w, b.h, b.crop != vips.InterestingNone, b.size)
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
	if tW != needW || tH != needH {
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
