package transform

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Renderer renders variants with a bounded number running at once.
//
// Admission keeps renders from crowding out everything else on the
// machine: slots bound the renders running (CPU), queue bounds those
// waiting (memory), QueueWait bounds how long one waits (latency: under
// overload an excess miss is refused early, not after a long queue), and
// renders run on threads at nice RenderNice, so requests served from memory
// win the CPU when both want it.
type Renderer struct {
	cfg   Config
	slots chan struct{}
	queue chan struct{}
	// waiting counts renders waiting for a slot (admit).
	waiting atomic.Int64
	// took is a moving average of how long renders take (ns), what a
	// waiter's wait is predicted from.
	took atomic.Int64
	cal  *lru.Cache[string, [3]float64]
	log  *slog.Logger
	// running is the start of each render holding a slot (Stalled).
	running running
	trimmer *mallocTrimmer
}

// New builds a renderer; libvips must have been started with Startup.
func New(cfg Config) (*Renderer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cal, _ := lru.New[string, [3]float64](4096) // 4096 × 40 bytes: a fixed, small cost
	return &Renderer{
		cfg:     cfg,
		slots:   make(chan struct{}, cfg.concurrency()),
		queue:   make(chan struct{}, cfg.concurrency()+cfg.Queue),
		cal:     cal,
		log:     slog.Default(),
		trimmer: newMallocTrimmer(cfg.MallocTrim),
	}, nil
}

// Config is the renderer's configuration.
func (r *Renderer) Config() Config { return r.cfg }

// SetLogger sets where the renderer reports sources it had to work around.
func (r *Renderer) SetLogger(l *slog.Logger) { r.log = l }

// Render turns a source into the variant the request describes. Bad sources
// and specs are *problem.Error with a 4xx status; it never panics on input.
// The render runs holding a render slot (inSlot).
func (r *Renderer) Render(ctx context.Context, req Request) (*Result, error) {
	if err := req.Spec.Validate(r.cfg); err != nil {
		return nil, err
	}
	if err := r.enterLineAs(isPatient(ctx)); err != nil {
		return nil, err
	}
	if req.Load != nil {
		// Read with a place in the line but no slot: the store's latency
		// does not hold a CPU slot idle, and a refused miss read nothing.
		src, id, err := req.Load(ctx)
		if err != nil {
			<-r.queue
			return nil, err
		}
		req.Source, req.SourceID, req.Load = src, id, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RenderTimeout)
	defer cancel()
	release, err := r.admit(ctx)
	if err != nil {
		return nil, err
	}
	return inSlot(ctx, r, release, func() (*Result, error) {
		start := time.Now()
		res, err := run(r.cfg, req, r.cal, r.log)
		r.observe(time.Since(start))
		return res, err
	})
}

// inSlot runs work on a goroutine of its own holding the render slot that
// release gives back. Its thread is the one libvips is called from, at the
// render nice value; it ends with the goroutine (see lowerThreadPriority).
// A caller whose deadline passes gets 503 at once while libvips (which
// cannot be interrupted) finishes in the background and only then frees the
// slot: the CPU stays bounded even when clients give up. The slot is free
// before the caller hears: a client that sends its next miss at once (the
// console keeps 4 in flight) must not find its own finished work still
// counted ahead of it. work must recover libvips' panics, so nothing skips
// the release.
func inSlot[T any](ctx context.Context, r *Renderer, release func(), work func() (T, error)) (T, error) {
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		if err := lowerThreadPriority(r.cfg.RenderNice, r.cfg.RenderIdle); err != nil {
			r.log.Debug("render thread priority unchanged", "err", err)
		}
		ended := r.running.start(time.Now())
		v, err := work()
		ended()
		release()
		done <- outcome{v, err}
		r.trimmer.afterRender(time.Now())
	}()
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		var zero T
		return zero, timeoutErr(ctx.Err())
	}
}

// enterLine takes a place in the line (slots + Queue places), or refuses
// the miss with render_busy and Retry-After early, so the client (or CDN)
// retries instead of waiting in a long line: when every place is taken, or
// when the line ahead is predicted to take longer than QueueWait. A miss
// with no more waiting than there are slots is next in line, at most a
// render away, and is never refused, so a burst of a few misses (or the
// console's few renders at once) always renders. The place is given back
// by admit's release, or by admit itself when it refuses.
func (r *Renderer) enterLine() error { return r.enterLineAs(false) }

// enterLineAs is enterLine for a patient miss too (Patient), which is
// refused only when every place is taken.
func (r *Renderer) enterLineAs(patient bool) error {
	select {
	case r.queue <- struct{}{}:
	default:
		return busy()
	}
	if !patient && r.overPredictedWait(r.waiting.Load()+1) {
		<-r.queue
		return busy()
	}
	return nil
}

// overPredictedWait: with every slot busy, the line moves one render per
// took/slots, so the last of line waiters is predicted to wait
// line × took / slots.
func (r *Renderer) overPredictedWait(line int64) bool {
	return line > int64(cap(r.slots)) && r.cfg.QueueWait > 0 &&
		time.Duration(line*r.took.Load()/int64(cap(r.slots))) > r.cfg.QueueWait
}

// admit takes a render slot for a miss holding a place in the line
// (enterLine), waiting up to QueueWait unless next in line; release gives
// slot and place back. The prediction is checked again: the line may have
// grown while the original was read.
func (r *Renderer) admit(ctx context.Context) (release func(), err error) {
	release = func() { <-r.slots; <-r.queue }
	select {
	case r.slots <- struct{}{}: // a free slot: no timer to pay for
		return release, nil
	default:
	}
	if line := r.waiting.Add(1); !isPatient(ctx) && r.overPredictedWait(line) {
		r.waiting.Add(-1)
		<-r.queue
		return nil, busy()
	}
	return r.wait(ctx, release)
}

// wait waits for a slot for admit, up to QueueWait unless next in line,
// and leaves the waiting count on every way out.
func (r *Renderer) wait(ctx context.Context, release func()) (func(), error) {
	var expired <-chan time.Time
	if r.cfg.QueueWait > 0 && !isPatient(ctx) {
		t := time.NewTimer(r.cfg.QueueWait)
		defer t.Stop()
		expired = t.C
	}
	for {
		select {
		case r.slots <- struct{}{}:
			r.waiting.Add(-1)
			return release, nil
		case <-expired:
			if r.leaveLongLine() {
				<-r.queue
				return nil, busy()
			}
			expired = nil
		case <-ctx.Done():
			r.waiting.Add(-1)
			<-r.queue
			return nil, timeoutErr(ctx.Err())
		}
	}
}

// leaveLongLine leaves the waiting count when more wait than there are
// slots, in one step: two waiters whose QueueWait ends together must not
// both see the other still counted and both leave, or the one next in line
// is refused too.
func (r *Renderer) leaveLongLine() bool {
	for {
		n := r.waiting.Load()
		if n <= int64(cap(r.slots)) {
			return false
		}
		if r.waiting.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

type patientKey struct{}

// Patient marks the renders asked for with ctx as ones that wait for a slot
// (up to the render timeout, while the line has room) instead of being
// refused early: an operator's console asks for a few renders at once to
// look at them, and a render_busy there helps no one. Traffic from the
// public listener is never patient.
func Patient(ctx context.Context) context.Context {
	return context.WithValue(ctx, patientKey{}, true)
}

func isPatient(ctx context.Context) bool {
	p, _ := ctx.Value(patientKey{}).(bool)
	return p
}

// observe folds a render's duration into took (weight 1/8: a few renders
// move it, one outlier does not).
func (r *Renderer) observe(d time.Duration) {
	for {
		old := r.took.Load()
		next := old + (int64(d)-old)/8
		if old == 0 {
			next = int64(d)
		}
		if r.took.CompareAndSwap(old, next) {
			return
		}
	}
}

// ErrBusy is returned when more than Queue renders already wait for a
// slot, or when no slot frees up within QueueWait for one of a long line.
var ErrBusy = problem.New(http.StatusServiceUnavailable, "render_busy", "too many renders in progress; retry shortly")

func busy() error {
	p := *ErrBusy
	p.RetryAfter = 1
	return &p
}

func timeoutErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		p := problem.Wrap(err, http.StatusServiceUnavailable, "render_timeout", "the render did not finish in time")
		p.RetryAfter = 1
		return p
	}
	return err
}
