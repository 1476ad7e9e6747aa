package transform

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
	img := st.img
	var err error
	switch {
	case st.info.Type == "heif" || st.info.Type == "avif":
		err = img.RemoveOrientation()
	case img.Orientation() > 1:
		err = img.AutoRotate()
	}
	if err != nil {
		return corrupt(err)
	}
	return nil
}
