package admin

import (
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// WarmRequest is the body of POST /admin/warm: a hub's image set, narrowed
// by the optional lists (empty means all).
type WarmRequest struct {
	Hub     string   `json:"hub"`
	SKUs    []string `json:"skus"`
	Locales []string `json:"locales"`
	Presets []string `json:"presets"`
	Formats []string `json:"formats"`
}

// WarmJob reports a pre-warm's progress.
type WarmJob struct {
	ID       string     `json:"id"`
	Hub      string     `json:"hub"`
	State    string     `json:"state"` // running, done, cancelled
	Total    int        `json:"total"`
	Done     int64      `json:"done"`
	Rendered int64      `json:"rendered"`
	Cached   int64      `json:"already_cached"`
	Failed   int64      `json:"failed"`
	Errors   []string   `json:"errors,omitempty"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
}

// warmJobs holds the recent jobs and runs them under one context, which
// Close cancels and then waits for: no warm-up outlives the server.
type warmJobs struct {
	mu      sync.Mutex
	jobs    map[string]*warmState
	ids     []string
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
	closed  bool
}

type warmState struct {
	mu sync.Mutex
	WarmJob
	done, rendered, cached, failed atomic.Int64
}

// maxWarmJobs is how many finished jobs stay queryable.
const maxWarmJobs = 32

func (w *warmState) snapshot() WarmJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	j := w.WarmJob
	j.Done, j.Rendered, j.Cached, j.Failed = w.done.Load(), w.rendered.Load(), w.cached.Load(), w.failed.Load()
	j.Errors = slices.Clone(w.Errors)
	return j
}

// warm serves POST /admin/warm: it renders the hub's image set into both
// cache tiers in the background, with at most the render concurrency at
// once, and answers 202 with the job to poll.
func (h *Handler) warm(c *fiber.Ctx) error {
	var req WarmRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	cat := h.Catalog.Current()
	if _, ok := cat.Hub(req.Hub); !ok {
		return problem.New(http.StatusBadRequest, "unknown_hub", "hub %q is not in the catalog", req.Hub).WithField("hub")
	}
	sel := variant.Selection{Hub: req.Hub, SKUs: req.SKUs, Locales: req.Locales, Presets: req.Presets}
	for _, f := range req.Formats {
		ff, err := transform.ParseFormat(f)
		if err != nil || ff == transform.Auto {
			return problem.New(http.StatusBadRequest, "invalid_warm", "format %q is not jpg, png, webp or avif", f).WithField("formats")
		}
		sel.Formats = append(sel.Formats, ff)
	}
	plans, err := h.variants.Enumerate(cat, sel)
	if err != nil {
		return err
	}
	job := &warmState{WarmJob: WarmJob{ID: rand.Text()[:16], Hub: req.Hub, State: "running", Total: len(plans), Started: time.Now().UTC()}}
	h.warmJobs.add(job)
	if !h.warmJobs.start(func(ctx context.Context) { h.runWarm(ctx, job, plans) }) {
		return problem.New(http.StatusServiceUnavailable, "draining", "the server is shutting down")
	}
	c.Status(http.StatusAccepted)
	c.Set(fiber.HeaderLocation, "/admin/warm/"+job.ID)
	return c.JSON(job.snapshot())
}

// runWarm renders each distinct key once; it stops early, marking the job
// cancelled, when the server shuts down.
func (h *Handler) runWarm(ctx context.Context, job *warmState, plans []variant.Plan) {
	var g errgroup.Group
	g.SetLimit(max(h.variants.RenderConfig().Concurrency, 2))
	expectSets(h.variants, plans)
	seen := map[string]bool{}
	for _, p := range plans {
		if seen[p.Key] || ctx.Err() != nil { // two locales sharing a colour profile share a variant
			job.done.Add(1)
			if ctx.Err() == nil {
				job.cached.Add(1)
			}
			continue
		}
		seen[p.Key] = true
		g.Go(func() error {
			defer job.done.Add(1)
			if ctx.Err() == nil { // cancelled while waiting for a slot
				h.warmOne(ctx, job, p)
			}
			return nil
		})
	}
	_ = g.Wait()
	h.variants.Cache().Wait()
	now := time.Now().UTC()
	job.mu.Lock()
	job.State, job.Finished = "done", &now
	if ctx.Err() != nil {
		job.State = "cancelled"
	}
	job.mu.Unlock()
	h.log.Info("warm finished", "id", job.ID, "hub", job.Hub, "state", job.State, "variants", job.Total,
		"rendered", job.rendered.Load(), "failed", job.failed.Load())
}

// expectSets tells the variant service which originals the job renders
// more than one variant of, so each builds its pyramid on its first miss:
// one decode per original for the whole image set.
func expectSets(v *variant.Service, plans []variant.Plan) {
	keys := map[catalog.Original]map[string]bool{}
	for _, p := range plans {
		if keys[p.Orig] == nil {
			keys[p.Orig] = map[string]bool{}
		}
		keys[p.Orig][p.Key] = true
	}
	for orig, k := range keys {
		if len(k) > 1 {
			v.ExpectVariants(orig)
		}
	}
}

func (h *Handler) warmOne(ctx context.Context, job *warmState, p variant.Plan) {
	// A render once started runs to the end (a cache flight outlives its
	// callers); waiting for it here is what lets Close await the job.
	_, src, err := h.variants.Get(context.WithoutCancel(ctx), p)
	switch {
	case err != nil:
		job.failed.Add(1)
		job.mu.Lock()
		if len(job.Errors) < 20 {
			job.Errors = append(job.Errors, p.Orig.Key+" "+p.Spec.Canonical()+": "+httpx.ToProblem(err).Detail)
		}
		job.mu.Unlock()
	case src == cache.FromRender:
		job.rendered.Add(1)
	default:
		job.cached.Add(1)
	}
}

// warmStatus serves GET /admin/warm/{id}.
func (h *Handler) warmStatus(c *fiber.Ctx) error {
	job, ok := h.warmJobs.get(c.Params("id"))
	if !ok {
		return problem.New(http.StatusNotFound, "unknown_warm_job", "no warm job %q (the last %d are kept)", c.Params("id"), maxWarmJobs)
	}
	return c.JSON(job.snapshot())
}

func (w *warmJobs) add(j *warmState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.jobs == nil {
		w.jobs = map[string]*warmState{}
	}
	w.jobs[j.ID] = j
	w.ids = append(w.ids, j.ID)
	if len(w.ids) > maxWarmJobs {
		delete(w.jobs, w.ids[0])
		w.ids = w.ids[1:]
	}
}

func (w *warmJobs) get(id string) (*warmState, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	j, ok := w.jobs[id]
	return j, ok
}

// start runs a job in the background unless the jobs are closed.
func (w *warmJobs) start(run func(context.Context)) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	if w.ctx == nil {
		w.ctx, w.cancel = context.WithCancel(context.Background())
	}
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		run(w.ctx)
	}()
	return true
}

// close cancels the running jobs and waits for them (or for ctx).
func (w *warmJobs) close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
