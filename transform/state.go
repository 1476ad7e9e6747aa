package transform

import (
	"context"
	"log/slog"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
	lru "github.com/hashicorp/golang-lru/v2"
)

// Result is a rendered variant.
type Result struct {
	Data        []byte
	Format      Format
	Width       int
	Height      int
	ContentType string
	Space       Space
	// DeltaE is the CIEDE2000 distance between the rendered swatch and the
	// declared colour; nil when the look has no swatch, the swatch is not
	// visible in the variant, or it could not be measured (QAWarning).
	DeltaE *float64
	// QAWarning says why a swatch that should be visible could not be
	// measured (a rect outside the image, a failed decode of the variant).
	// The variant is still served: QA reports on a render, it never fails
	// one.
	QAWarning string
	Elapsed   time.Duration
	// Quality is the encoder quality used (0 for PNG); Auto, set for
	// q=auto, says how it was chosen (autoquality.go).
	Quality int
	Auto    *AutoChoice
}

// Request is one render: the original, its identity (for caching what is
// measured on it), the spec and the look.
type Request struct {
	Source []byte
	// SourceID identifies the source's content (store key + ETag); it keys
	// the calibration cache. Empty disables that cache.
	SourceID string
	Spec     Spec
	Look     Look
	// Load, when set, fetches Source and SourceID once the render has a
	// place in the line (Renderer.Render): a miss that would be refused
	// anyway never reads its original, and no more originals are in memory
	// at once than there are places in the line.
	Load func(ctx context.Context) (source []byte, sourceID string, err error)
}

// state is what the steps share while rendering one variant.
type state struct {
	cfg  Config
	req  Request
	spec Spec
	look Look
	info Info
	img  *vips.ImageRef
	// box is plan's: what the image steps bring the source to.
	box box
	// fitted: libvips' thumbnail decoded the source straight into the box,
	// upright, resized and cropped, so orient, resize and crop leave it be.
	fitted bool
	// fromThumbnail: shrinkOnLoad decoded a HEIF/AVIF's thumbnail item
	// rather than its primary image.
	fromThumbnail bool
	// inOutputSpace: the image was converted before resampling (CMYK), and
	// toOutputSpace has nothing left to do.
	inOutputSpace bool
	// containerICC, when set, is written into the encoded file instead of
	// being attached to (and converted into by) the image.
	containerICC []byte
	// swatchLinear is the swatch's mean linear RGB measured on the sample,
	// set only when the look calibrates.
	swatchLinear *[3]float64
	// cal caches swatchLinear per source, space and rect.
	cal   *lru.Cache[string, [3]float64]
	gains [3]float64
	// padded is where pad placed the image in the box (left, top, width,
	// height), so qa can find the swatch in the padded variant.
	padded    *[4]int
	deltaE    *float64
	qaWarning string
	out       *Result
	log       *slog.Logger
}

// close frees the image, whichever step the render stopped at.
func (st *state) close() {
	if st.img != nil {
		st.img.Close()
		st.img = nil
	}
}
