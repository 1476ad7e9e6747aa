package transform

import (
	"fmt"
	"log/slog"

	"github.com/davidbyttow/govips/v2/vips"
)

// Pixels is a decoded 8-bit sRGB image, 3 bytes per pixel, row-major.
type Pixels struct {
	Width, Height int
	RGB           []byte
}

// At returns the pixel at x, y.
func (p *Pixels) At(x, y int) (r, g, b uint8) {
	i := 3 * (y*p.Width + x)
	return p.RGB[i], p.RGB[i+1], p.RGB[i+2]
}

// Decode decodes any supported image into sRGB pixels — through its ICC
// profile when it has one, alpha flattened onto white — honouring EXIF
// orientation. Tests and colour QA use it to measure what a browser shows.
func Decode(src []byte, cfg Config) (px *Pixels, err error) {
	if _, err := Inspect(src, cfg); err != nil {
		return nil, err
	}
	st := &state{cfg: cfg, req: Request{Source: src}, spec: Spec{Format: JPEG, Background: "#ffffff"}.normalised(),
		look: Look{Space: SRGB}, log: slog.Default()}
	defer func() {
		st.close()
		if rec := recover(); rec != nil {
			px, err = nil, fmt.Errorf("decode: %v", rec)
		}
	}()
	params := vips.NewImportParams()
	params.AutoRotate.Set(true)
	st.img, err = vips.LoadImageFromBuffer(src, params)
	if err != nil {
		return nil, corrupt(err)
	}
	if err := runSteps(st, []step{{"toOutputSpace", toOutputSpace}, {"flatten", flatten}}); err != nil {
		return nil, err
	}
	img := st.img
	if img.Bands() < 3 {
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return nil, err
		}
	}
	if img.Bands() > 3 {
		if err := img.ExtractBand(0, 3); err != nil {
			return nil, err
		}
	}
	raw, err := img.ToBytes()
	if err != nil {
		return nil, err
	}
	if len(raw) != img.Width()*img.Height()*3 {
		return nil, fmt.Errorf("decode: got %d bytes for %d×%d×3", len(raw), img.Width(), img.Height())
	}
	return &Pixels{Width: img.Width(), Height: img.Height(), RGB: raw}, nil
}
