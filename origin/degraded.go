package origin

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/store"
)

// A store outage degrades service (misses fail fast) but is not a
// readiness failure: every replica shares the store, so failing readiness
// on it would take the whole Service out at once, L1 hits and routing
// included (DESIGN.md, "Replicas and regions"). The state is tracked here
// and shown in /metrics, the log and GET /admin/status instead.
const (
	// storeProbeEvery and storeProbeTimeout: a HEAD of catalog.yaml every
	// few seconds notices an outage (and its end) even with no traffic.
	storeProbeEvery   = 2 * time.Second
	storeProbeTimeout = time.Second
	// storeDegradeAfter: failed calls with no success in between for this
	// long mark the store degraded before the next probe does; a shorter
	// streak is a blip (a reset connection) that retries absorb.
	storeDegradeAfter = time.Second
	// storeDegradedReadTimeout bounds a read while the store is degraded:
	// a black-holed store would otherwise hold every miss for its whole
	// request deadline. Reads still go through, so the first one after the
	// store returns answers (and ends the degraded state) at once.
	storeDegradedReadTimeout = 2 * time.Second
	// renderWedgeMin is the least time every render slot must have been
	// held by the same render before the render workers count as wedged.
	renderWedgeMin = 30 * time.Second
)

// storeErrMax bounds the error text kept for the admin status.
const storeErrMax = 300

// presigned matches the credential parts of a presigned S3 URL, which an
// SDK error may quote: the admin status shows the error, never a secret.
var presigned = regexp.MustCompile(`(?i)(x-amz-(?:signature|credential|security-token)=)[^&\s"]+`)

// storeHealth wraps the store the handlers use and watches its answers;
// a background probe covers the calls made elsewhere (catalog, rules).
type storeHealth struct {
	store.Blob
	log   *slog.Logger
	gauge prometheus.Gauge

	mu sync.Mutex
	st admin.StoreState
	// streak is the first failure since the last success (zero: none).
	streak time.Time
}

var _ store.Blob = (*storeHealth)(nil)

func newStoreHealth(blob store.Blob, reg *prometheus.Registry, log *slog.Logger) *storeHealth {
	h := &storeHealth{Blob: blob, log: log, st: admin.StoreState{LastSuccess: time.Now()}}
	h.gauge = prometheus.NewGauge(prometheus.GaugeOpts{Name: "edgeshelf_store_degraded",
		Help: "1 while the store fails to answer (misses and writes fail fast; the replica stays ready), else 0."})
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_store_last_success_age_seconds",
		Help: "Seconds since a store call last answered."}, func() float64 {
		return time.Since(h.State().LastSuccess).Seconds()
	})
	// Ignore "already registered": tests may share a registry.
	_ = reg.Register(h.gauge)
	_ = reg.Register(age)
	return h
}

// State is a copy of the current state.
func (h *storeHealth) State() admin.StoreState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st
}

// observe classifies one store call's outcome. Only an outage counts as a
// failure: a missing, oversized or refused object is the store answering.
// A caller that gave up (context.Canceled) says nothing about the store.
func (h *storeHealth) observe(err error, probe bool) {
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTooLarge),
		errors.Is(err, store.ErrInvalidKey), errors.Is(err, store.ErrNotModified):
		h.succeeded()
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		h.failed(err, probe)
	}
}

func (h *storeHealth) succeeded() {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.st.LastSuccess, h.streak = now, time.Time{}
	if h.st.Degraded {
		down := now.Sub(h.st.Since)
		h.st.Degraded, h.st.Since = false, now
		h.gauge.Set(0)
		h.log.Info("store recovered", "degraded_for", down.Round(time.Millisecond).String())
	}
}

func (h *storeHealth) failed(err error, probe bool) {
	now := time.Now()
	msg := presigned.ReplaceAllString(err.Error(), "${1}REDACTED")
	if len(msg) > storeErrMax {
		msg = strings.ToValidUTF8(msg[:storeErrMax], "") + "…"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.st.LastError, h.st.LastErrorAt = msg, now
	if h.streak.IsZero() {
		h.streak = now
	}
	if h.st.Degraded || !probe && now.Sub(h.streak) < storeDegradeAfter {
		return
	}
	h.st.Degraded, h.st.Since = true, h.streak
	h.gauge.Set(1)
	// Once per outage, with the detail: public bodies never carry it.
	h.log.Warn("store degraded: misses and writes fail until it answers; the replica stays ready", "err", err)
}

// probe HEADs catalog.yaml every storeProbeEvery until ctx ends.
func (h *storeHealth) probe(ctx context.Context) {
	t := time.NewTicker(storeProbeEvery)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, storeProbeTimeout)
		_, err := h.Blob.Stat(pctx, catalog.Key)
		cancel()
		if ctx.Err() != nil {
			return
		}
		h.observe(err, true)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// boundRead shortens a read's deadline to storeDegradedReadTimeout while
// the store is degraded (a circuit breaker that still lets calls through).
func (h *storeHealth) boundRead(ctx context.Context) (context.Context, context.CancelFunc) {
	if !h.State().Degraded {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, storeDegradedReadTimeout)
}

// Get, Put, Stat, List and Delete pass through and observe the answer;
// reads are bounded by boundRead.

func (h *storeHealth) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	ctx, cancel := h.boundRead(ctx)
	defer cancel()
	obj, err := h.Blob.Get(ctx, key, opts)
	h.observe(err, false)
	return obj, err
}

func (h *storeHealth) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	info, err := h.Blob.Put(ctx, key, data, opts)
	h.observe(err, false)
	return info, err
}

func (h *storeHealth) Stat(ctx context.Context, key string) (store.Info, error) {
	ctx, cancel := h.boundRead(ctx)
	defer cancel()
	info, err := h.Blob.Stat(ctx, key)
	h.observe(err, false)
	return info, err
}

func (h *storeHealth) List(ctx context.Context, prefix string) ([]store.Info, error) {
	infos, err := h.Blob.List(ctx, prefix)
	h.observe(err, false)
	return infos, err
}

func (h *storeHealth) Delete(ctx context.Context, key string) error {
	err := h.Blob.Delete(ctx, key)
	h.observe(err, false)
	return err
}

// renderWatch tells whether the render workers are alive: they are unless
// every render slot has been held by one render for wedgeAfter. libvips
// cannot be interrupted, so a stuck render holds its slot forever; this sees
// it from the outside, with no I/O and no render. Refused misses are no
// sign: a store that fails (or hangs) every read of an original fills the
// render line with misses waiting on it, and workers waiting for work are
// alive.
type renderWatch struct {
	Renderer
	wedgeAfter time.Duration
}

func newRenderWatch(r Renderer) *renderWatch {
	return &renderWatch{Renderer: r, wedgeAfter: max(renderWedgeMin, 3*r.Config().RenderTimeout)}
}

func (w *renderWatch) alive() bool { return !w.Stalled(w.wedgeAfter) }

// startProbe starts the store probe once, when the server starts serving:
// a Server that is built but never served (a test) runs no goroutine.
func (s *Server) startProbe() {
	s.probeOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		s.probeStop, s.probeDone = cancel, make(chan struct{})
		go func() {
			defer close(s.probeDone)
			s.storeHealth.probe(ctx)
		}()
	})
}

// stopProbe stops the probe and waits for it; a Serve after it starts none.
func (s *Server) stopProbe() {
	s.probeOnce.Do(func() {})
	if s.probeStop != nil {
		s.probeStop()
		<-s.probeDone
	}
}

// replica is what GET /admin/status shows of the core's own state.
func (s *Server) replica() admin.Replica {
	return admin.Replica{Version: s.Version, Draining: s.draining.Load(),
		RenderWorkersAlive: s.renders.alive(), Store: s.storeHealth.State()}
}
