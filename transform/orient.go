package transform

import "github.com/davidbyttow/govips/v2/vips"

// orient turns a decoded image upright by its EXIF orientation (all 8).
//
// HEIF/AVIF are the exception: libheif already applies the container's
// rotation (irot/imir), and the EXIF orientation tag such files still carry
// is informational; orienting again would rotate twice. Their tag is only
// dropped, so nothing downstream acts on it. (orientedSize does not swap
// their axes either.)
func orient(st *state) error {
	if st.fitted {
		return nil // libvips' thumbnail oriented it
	}
	if err := upright(st.img, st.info.Type); err != nil {
		return corrupt(err)
	}
	return nil
}

// upright is orient for a decoded image of the given source type: EXIF
// orientation applied, or for HEIF/AVIF only dropped. The source pyramid
// turns its levels upright with it, so a mezzanine stands as a render of
// the original would.
func upright(img *vips.ImageRef, typ string) error {
	switch {
	case typ == "heif" || typ == "avif":
		return img.RemoveOrientation()
	case img.Orientation() > 1:
		return img.AutoRotate()
	}
	return nil
}
