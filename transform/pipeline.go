package transform

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// step is one named stage of the pipeline: a function over the shared
// state. Steps never call each other; runSteps calls them in order, and a
// step with nothing to do for an image returns at once.
type step struct {
	name string
	run  func(*state) error
}

// pipeline is the render, in order, after Inspect has checked the header.
// Each step lives in its own file.
var pipeline = []step{
	{"plan", plan},                           // plan.go: the box the variant is cut to, from the spec and header
	{"shrinkOnLoad", shrinkOnLoad},           // shrinkonload.go: decode at a reduced size where the format can
	{"orient", orient},                       // orient.go: EXIF orientation; HEIF's informational tag dropped
	{"cmykToOutputSpace", cmykToOutputSpace}, // cmyk.go: CMYK converted before it is resampled
	{"resize", resize},                       // resize.go: scale to fit, fill or cover the box
	{"crop", crop},                           // crop.go: cut a cover variant to the box at its gravity
	{"enlargeCover", enlargeCover},           // enlargecover.go: scale a cover window up to the box
	{"toOutputSpace", toOutputSpace},         // outputspace.go: ICC import and conversion to the look's space
	{"calibrate", calibrate},                 // calibrate.go: swatch-driven correction gains
	{"tone", tone},                           // tone.go: calibration and locale tone in linear light
	{"flatten", flatten},                     // flatten.go: alpha onto the background for JPEG
	{"pad", pad},                             // pad.go: contain boxes
	{"encode", encode},                       // encode.go: the output format, ICC kept, metadata stripped
	{"qa", qa},                               // qa.go: ΔE2000 of the swatch as encoded
}

// samplePipeline is what calibrate measures: the whole source brought to
// sampleBox, converted to the look's space as the variant is. It runs on a
// state of its own (sampleSwatch), before pipeline, with the same steps up
// to the output space.
var samplePipeline = []step{
	{"shrinkOnLoad", shrinkOnLoad},
	{"orient", orient},
	{"cmykToOutputSpace", cmykToOutputSpace},
	{"resize", resize},
	{"toOutputSpace", toOutputSpace},
	{"measureSwatch", measureSwatch}, // measure.go: the swatch's mean in linear light
}

// run renders one variant: Inspect checks the header before anything is
// decoded, sampleSwatch measures the swatch when the look calibrates, then
// the pipeline runs.
func run(cfg Config, req Request, cal *lru.Cache[string, [3]float64], log *slog.Logger) (res *Result, err error) {
	start := time.Now()
	st := &state{cfg: cfg, req: req, spec: req.Spec.normalised(), look: req.Look, cal: cal, log: log, gains: [3]float64{1, 1, 1}}
	if st.look.Space == "" {
		st.look.Space = SRGB
	}
	defer func() {
		st.close()
		// govips and libvips must never take the process down on input.
		if rec := recover(); rec != nil {
			// The panic's text names libvips internals: it goes to the
			// log, the answer says only what the client can act on.
			st.log.Warn("render panicked", "source", req.SourceID, "panic", fmt.Sprint(rec))
			res, err = nil, problem.New(http.StatusUnprocessableEntity, "corrupt_source", "the source could not be decoded")
		}
	}()
	if st.info, err = Inspect(req.Source, cfg); err != nil {
		return nil, stepFailed(st, "inspect", err)
	}
	if err := sampleSwatch(st); err != nil {
		return nil, err
	}
	if err := runSteps(st, pipeline); err != nil {
		return nil, err
	}
	st.out.Elapsed = time.Since(start)
	st.out.Space = st.look.Space
	st.out.DeltaE = st.deltaE
	st.out.QAWarning = st.qaWarning
	return st.out, nil
}

// runSteps runs steps over st in order, stopping at the first error.
func runSteps(st *state, steps []step) error {
	for _, s := range steps {
		if err := s.run(st); err != nil {
			return stepFailed(st, s.name, err)
		}
	}
	return nil
}

// stepFailed names the step in an unexpected error; a *problem.Error
// already carries its status and public message, so it passes unchanged.
func stepFailed(st *state, name string, err error) error {
	if p, ok := problem.As(err); ok {
		st.log.Debug("render step failed", "step", name, "source", st.req.SourceID, "err", p)
		return err
	}
	return fmt.Errorf("render step %s: %w", name, err)
}

// sampleBox stands in for plan in samplePipeline: about 512 px is plenty
// to average a swatch over, and the whole frame is kept so no crop of the
// variant ever hides the swatch.
var sampleBox = box{w: 512, h: 512, crop: vips.InterestingNone, size: vips.SizeDown}

// sampleSwatch gives calibrate the swatch's colour as the source shows it:
// from the cache, or by running samplePipeline on a state of its own, so
// only the first variant of a source pays for the extra decode. The cache
// holds the measurement, not the gains: the gains toward the declared
// colour are worked out on every render, so an edit of that colour in the
// catalog takes effect at once. A swatch rect outside the image is not
// measured (qa reports it).
func sampleSwatch(st *state) error {
	sw := st.look.Swatch
	if sw == nil || !st.look.Calibrate || swatchRectProblem(sw.Rect) != "" {
		return nil
	}
	key := fmt.Sprintf("%s|%s|%v", st.req.SourceID, st.look.Space, sw.Rect)
	cached := st.req.SourceID != "" && st.cal != nil
	if cached {
		if m, ok := st.cal.Get(key); ok {
			st.swatchLinear = &m
			return nil
		}
	}
	sample := &state{cfg: st.cfg, req: st.req, look: st.look, info: st.info, log: st.log, box: sampleBox}
	defer sample.close()
	if err := runSteps(sample, samplePipeline); err != nil {
		return err
	}
	st.swatchLinear = sample.swatchLinear
	if cached {
		st.cal.Add(key, *sample.swatchLinear)
	}
	return nil
}
