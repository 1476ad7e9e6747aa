package transform

import (
	"context"
	"errors"
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

// Renderer renders variants with a bounded number running at once.
type Renderer struct {
	cfg   Config
	slots chan struct{}
	queue chan struct{}
	cal   *lru.Cache[string, [3]float64]
	log   *slog.Logger
}

// New builds a renderer; libvips must have been started with Startup.
func New(cfg Config) (*Renderer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cal, _ := lru.New[string, [3]float64](4096) // 4096 × 40 bytes: a fixed, small cost
	return &Renderer{
		cfg:   cfg,
		slots: make(chan struct{}, cfg.concurrency()),
		queue: make(chan struct{}, cfg.concurrency()+cfg.Queue),
		cal:   cal,
		log:   slog.Default(),
	}, nil
}

// Config is the renderer's configuration.
func (r *Renderer) Config() Config { return r.cfg }

// SetLogger sets where the renderer reports sources it had to work around.
func (r *Renderer) SetLogger(l *slog.Logger) { r.log = l }

// Render turns a source into the variant the request describes. Bad sources
// and specs are *problem.Error with a 4xx status; it never panics on input.
//
// The render runs in its own goroutine holding a render slot, so a request
// whose deadline passes gets 503 at once while libvips (which cannot be
// interrupted) finishes in the background and only then frees the slot: the
// CPU stays bounded even when clients give up.
func (r *Renderer) Render(ctx context.Context, req Request) (*Result, error) {
	if err := req.Spec.Validate(r.cfg); err != nil {
		return nil, err
	}
	// The queue bounds waiting renders (memory); the slots bound running ones (CPU).
	select {
	case r.queue <- struct{}{}:
	default:
		busy := *ErrBusy
		busy.RetryAfter = 1
		return nil, &busy
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RenderTimeout)
	defer cancel()
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		<-r.queue
		return nil, timeoutErr(ctx.Err())
	}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() { <-r.slots; <-r.queue }()
		res, err := run(r.cfg, req, r.cal, r.log)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return nil, timeoutErr(ctx.Err())
	}
}

// ErrBusy is returned when the render queue is full.
var ErrBusy = problem.New(http.StatusServiceUnavailable, "render_busy", "too many renders in progress; retry shortly")

func timeoutErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		p := problem.Wrap(err, http.StatusServiceUnavailable, "render_timeout", "the render did not finish in time")
		p.RetryAfter = 1
		return p
	}
	return err
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
			res, err = nil, problem.New(http.StatusUnprocessableEntity, "corrupt_source", "the source could not be decoded: %v", rec)
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
