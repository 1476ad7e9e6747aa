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

// Result is a rendered variant.
type Result struct {
	Data        []byte
	Format      Format
	Width       int
	Height      int
	ContentType string
	Space       Space
	// DeltaE is the CIEDE2000 distance between the rendered swatch and the
	// declared colour; nil when the look has no swatch or the swatch is not
	// visible in the variant.
	DeltaE  *float64
	Elapsed time.Duration
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
}

// state is what the steps share while rendering one variant.
type state struct {
	cfg  Config
	req  Request
	spec Spec
	look Look
	info Info
	img  *vips.ImageRef
	// qaRect is the swatch rect in fractions of the output image, when the
	// swatch is visible in it.
	qaRect *[4]float64
	gains  [3]float64
	cal    *lru.Cache[string, [3]float64]
	deltaE *float64
	out    *Result
	log    *slog.Logger
	// containerICC, when set, is written into the encoded file instead of
	// being attached to (and converted into by) the image.
	containerICC []byte
	// fromThumbnail: load decoded a HEIF/AVIF's thumbnail item rather than
	// its primary image.
	fromThumbnail bool
}

// step is one named stage of the pipeline.
type step struct {
	name string
	run  func(*state) error
}

// pipeline is the render, in order. Each step lives in its own file.
var pipeline = []step{
	{"inspect", inspect},             // inspect.go: header checks before any decoding
	{"load", load},                   // load.go: shrink-on-load, orient, resize, crop
	{"toOutputSpace", toOutputSpace}, // outputspace.go: ICC import and conversion to the look's space
	{"calibrate", calibrate},         // calibrate.go: swatch-driven correction gains
	{"tone", tone},                   // tone.go: calibration and locale tone in linear light
	{"flatten", flatten},             // flatten.go: alpha onto the background for JPEG
	{"pad", pad},                     // pad.go: contain boxes
	{"encode", encode},               // encode.go: the output format, ICC kept, metadata stripped
	{"qa", qa},                       // qa.go: ΔE2000 of the swatch as encoded
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

// run executes the pipeline steps in order.
func run(cfg Config, req Request, cal *lru.Cache[string, [3]float64], log *slog.Logger) (res *Result, err error) {
	start := time.Now()
	st := &state{cfg: cfg, req: req, spec: req.Spec.normalised(), look: req.Look, cal: cal, log: log, gains: [3]float64{1, 1, 1}}
	if st.look.Space == "" {
		st.look.Space = SRGB
	}
	defer func() {
		if st.img != nil {
			st.img.Close()
		}
		// govips and libvips must never take the process down on input.
		if rec := recover(); rec != nil {
			res, err = nil, problem.New(http.StatusUnprocessableEntity, "corrupt_source", "the source could not be decoded: %v", rec)
		}
	}()
	for _, s := range pipeline {
		if err := s.run(st); err != nil {
			if p, ok := problem.As(err); ok {
				st.log.Debug("render step failed", "step", s.name, "source", req.SourceID, "err", p)
				return nil, err
			}
			return nil, fmt.Errorf("render step %s: %w", s.name, err)
		}
	}
	st.out.Elapsed = time.Since(start)
	st.out.Space = st.look.Space
	st.out.DeltaE = st.deltaE
	return st.out, nil
}
