package transform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Result is a rendered variant.
type Result struct {
	Data        []byte
	Format      Format
	Width       int
	Height      int
	ContentType string
	Elapsed     time.Duration
}

// state is what the steps share while rendering one variant.
type state struct {
	cfg  Config
	src  []byte
	spec Spec
	info Info
	img  *vips.ImageRef
	out  *Result
}

// step is one named stage of the pipeline.
type step struct {
	name string
	run  func(*state) error
}

// pipeline is the render, in order. Each step lives in its own file.
var pipeline = []step{
	{"inspect", inspect},
	{"load", load},
	{"colour", toSRGB},
	{"flatten", flatten},
	{"pad", pad},
	{"encode", encode},
}

// Renderer renders variants with a bounded number running at once.
type Renderer struct {
	cfg   Config
	slots chan struct{}
	queue chan struct{}
}

// New builds a renderer; libvips must have been started with Startup.
func New(cfg Config) (*Renderer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Renderer{
		cfg:   cfg,
		slots: make(chan struct{}, cfg.concurrency()),
		queue: make(chan struct{}, cfg.concurrency()+cfg.Queue),
	}, nil
}

// Config is the renderer's configuration.
func (r *Renderer) Config() Config { return r.cfg }

// ErrBusy is returned when the render queue is full.
var ErrBusy = problem.New(http.StatusServiceUnavailable, "render_busy", "too many renders in progress; retry shortly")

// Render turns src into the variant spec describes. Bad sources and specs are
// *problem.Error with a 4xx status; it never panics on input.
func (r *Renderer) Render(ctx context.Context, src []byte, spec Spec) (*Result, error) {
	if err := spec.Validate(r.cfg); err != nil {
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
	defer func() { <-r.queue }()
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RenderTimeout)
	defer cancel()
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, timeoutErr(ctx.Err())
	}
	defer func() { <-r.slots }()
	return run(ctx, r.cfg, src, spec)
}

func timeoutErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		p := problem.Wrap(err, http.StatusServiceUnavailable, "render_timeout", "the render did not finish in time")
		p.RetryAfter = 1
		return p
	}
	return err
}

// run executes the pipeline steps in order.
func run(ctx context.Context, cfg Config, src []byte, spec Spec) (res *Result, err error) {
	start := time.Now()
	st := &state{cfg: cfg, src: src, spec: spec.normalised()}
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
		if err := ctx.Err(); err != nil {
			return nil, timeoutErr(err)
		}
		if err := s.run(st); err != nil {
			if _, ok := problem.As(err); ok {
				return nil, err
			}
			return nil, fmt.Errorf("render step %s: %w", s.name, err)
		}
	}
	st.out.Elapsed = time.Since(start)
	return st.out, nil
}
