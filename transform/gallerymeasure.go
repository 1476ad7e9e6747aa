package transform

import (
	"fmt"
	"log/slog"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// galleryPipeline is samplePipeline up to the output space, then flattened
// onto white: the whole frame within sampleBox, upright, through its ICC
// profile (or CMYK default) to sRGB. The gallery report measures photos on
// this so its numbers stand on the same footing as calibration's.
var galleryPipeline = []step{
	{"shrinkOnLoad", shrinkOnLoad},
	{"orient", orient},
	{"cmykToOutputSpace", cmykToOutputSpace},
	{"resize", resize},
	{"toOutputSpace", toOutputSpace},
	{"flatten", flatten},
}

// SampleGallery decodes an original as calibrate samples it (within 512 px,
// upright, colour-managed to 8-bit sRGB, alpha on white), for the gallery
// consistency report. It checks the source against cfg's limits first.
func SampleGallery(src []byte, cfg Config) (px *Pixels, err error) {
	info, err := Inspect(src, cfg)
	if err != nil {
		return nil, err
	}
	st := &state{cfg: cfg, req: Request{Source: src}, spec: Spec{Format: JPEG, Background: "#ffffff"}.normalised(),
		look: Look{Space: SRGB}, info: info, log: slog.Default(), box: sampleBox}
	defer func() {
		st.close()
		if rec := recover(); rec != nil {
			px, err = nil, fmt.Errorf("gallery sample: %v", rec)
		}
	}()
	if err := runSteps(st, galleryPipeline); err != nil {
		return nil, err
	}
	img := st.img
	if img.Bands() < 3 {
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return nil, corrupt(err)
		}
	}
	if img.Bands() > 3 {
		if err := img.ExtractBand(0, 3); err != nil {
			return nil, err
		}
	}
	raw, err := img.ToBytes()
	if err != nil {
		return nil, corrupt(err)
	}
	if img.Bands() != 3 || len(raw) != img.Width()*img.Height()*3 {
		return nil, fmt.Errorf("gallery sample: got %d bytes in %d bands for %d×%d", len(raw), img.Bands(), img.Width(), img.Height())
	}
	return &Pixels{Width: img.Width(), Height: img.Height(), RGB: raw}, nil
}

// CalibrationGains are the per-channel linear-light gains calibrate would
// apply to an sRGB photo whose swatch rect shows the given pixels, to
// bring it to the declared colour (clamped as calibrate clamps them). The
// gallery report uses them to judge a calibrated photo as it is served.
func CalibrationGains(px *Pixels, rect [4]float64, declared colour.Lab) [3]float64 {
	if swatchRectProblem(rect) != "" {
		return [3]float64{1, 1, 1}
	}
	measured := meanLinear(px.RGB, px.Width, px.Height, 3, rect)
	return gainsToward(measured, declared, colour.SRGB)
}

// Niced runs work on a goroutine of its own whose thread has the renders'
// nice value (cfg.RenderNice), and waits for it: background measuring
// (the gallery report) then yields the CPU to requests as renders do.
func Niced(cfg Config, work func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := lowerThreadPriority(cfg.RenderNice, cfg.RenderIdle); err != nil {
			slog.Debug("measuring thread priority unchanged", "err", err)
		}
		work()
	}()
	<-done
}

// LinearOf is an 8-bit sRGB value in linear light, from the table the
// swatch measurement uses, for measuring outside the pipeline.
func LinearOf(v byte) float64 { return srgbLinear[v] }
