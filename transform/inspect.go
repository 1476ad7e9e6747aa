package transform

import (
	"errors"
	"net/http"
	"strings"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Info is what a source's header says, read without decoding pixels.
type Info struct {
	Type           string // jpeg, png, webp, avif, heif, tiff, gif
	Width, Height  int    // as stored, before EXIF orientation
	Pages          int
	Bands          int
	HasAlpha       bool
	HasICC         bool
	Interpretation string
	Orientation    int
	// ICCProfile is the embedded profile, if any.
	ICCProfile []byte
}

// sourceTypes are the formats accepted as originals. SVG and PDF are refused:
// they can reference external resources and render at any size.
var sourceTypes = map[vips.ImageType]string{
	vips.ImageTypeJPEG: "jpeg",
	vips.ImageTypePNG:  "png",
	vips.ImageTypeWEBP: "webp",
	vips.ImageTypeAVIF: "avif",
	vips.ImageTypeHEIF: "heif",
	vips.ImageTypeTIFF: "tiff",
	vips.ImageTypeGIF:  "gif",
}

// Inspect reads a source's header and checks it against the limits before any
// pixel buffer is allocated.
func Inspect(src []byte, cfg Config) (Info, error) {
	if len(src) == 0 {
		return Info{}, problem.New(http.StatusUnprocessableEntity, "empty_source", "the source image is empty (0 bytes)")
	}
	if int64(len(src)) > int64(cfg.MaxSourceBytes) {
		return Info{}, problem.New(http.StatusUnprocessableEntity, "image_too_large",
			"the source is %d bytes, over the %d byte limit", len(src), int64(cfg.MaxSourceBytes))
	}
	vt := vips.DetermineImageType(src)
	typ, ok := sourceTypes[vt]
	if !ok {
		name := vips.ImageTypes[vt]
		if name == "" {
			return Info{}, problem.New(http.StatusUnprocessableEntity, "unsupported_source",
				"the source is not an image in a supported format (jpeg, png, webp, avif, heif, tiff, gif)")
		}
		return Info{}, problem.New(http.StatusUnprocessableEntity, "unsupported_source",
			"%s sources are not rendered; supported: jpeg, png, webp, avif, heif, tiff, gif", name)
	}
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	img, err := vips.LoadImageFromBuffer(src, params)
	if err != nil {
		return Info{}, corrupt(err)
	}
	defer img.Close()
	info := Info{
		Type:           typ,
		Width:          img.Width(),
		Height:         img.Height(),
		Pages:          max(img.Pages(), 1),
		Bands:          img.Bands(),
		HasAlpha:       img.HasAlpha(),
		HasICC:         img.HasICCProfile(),
		Interpretation: interpretationName(img.Interpretation()),
		Orientation:    img.Orientation(),
	}
	if info.HasICC {
		info.ICCProfile = img.GetICCProfile()
	}
	// Only the first frame is rendered, so frames do not count against the
	// pixel limit; the decoder never allocates more than one.
	if px := int64(info.Width) * int64(info.Height); px > cfg.MaxSourcePixels || info.Width <= 0 || info.Height <= 0 {
		return info, problem.New(http.StatusUnprocessableEntity, "image_too_large",
			"the source is %d×%d (%.1f MP), over the %.1f MP limit", info.Width, info.Height,
			float64(px)/1e6, float64(cfg.MaxSourcePixels)/1e6)
	}
	return info, nil
}

func corrupt(err error) error {
	return problem.Wrap(trimStack(err), http.StatusUnprocessableEntity, "corrupt_source", "the source image could not be decoded")
}

// trimStack drops the Go stack trace govips appends to libvips errors: it
// belongs in neither logs nor responses.
func trimStack(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n"); i >= 0 {
		return errors.New(strings.TrimSpace(msg[:i]))
	}
	return err
}

func interpretationName(i vips.Interpretation) string {
	switch i {
	case vips.InterpretationSRGB:
		return "srgb"
	case vips.InterpretationRGB16:
		return "rgb16"
	case vips.InterpretationBW:
		return "b-w"
	case vips.InterpretationGrey16:
		return "grey16"
	case vips.InterpretationCMYK:
		return "cmyk"
	case vips.InterpretationLAB:
		return "lab"
	case vips.InterpretationRGB:
		return "rgb"
	default:
		return "other"
	}
}
