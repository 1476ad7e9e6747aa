package origin

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
	State    string     `json:"state"` // running, done
	Total    int        `json:"total"`
	Done     int64      `json:"done"`
	Rendered int64      `json:"rendered"`
	Cached   int64      `json:"already_cached"`
	Failed   int64      `json:"failed"`
	Errors   []string   `json:"errors,omitempty"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
}

type warmJobs struct {
	mu   sync.Mutex
	jobs map[string]*warmState
	ids  []string
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
func (s *Server) warm(c *fiber.Ctx) error {
	var req WarmRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat := s.Catalog.Current()
	if _, ok := cat.Hub(req.Hub); !ok {
		return problem.New(http.StatusBadRequest, "unknown_hub", "hub %q is not in the catalog", req.Hub).WithField("hub")
	}
	plans, err := s.warmPlans(cat, req)
	if err != nil {
		return err
	}
	job := &warmState{WarmJob: WarmJob{ID: rand.Text()[:16], Hub: req.Hub, State: "running", Total: len(plans), Started: time.Now().UTC()}}
	s.warmJobs.add(job)
	go s.runWarm(job, plans)
	c.Status(http.StatusAccepted)
	c.Set(fiber.HeaderLocation, "/admin/warm/"+job.ID)
	return c.JSON(job.snapshot())
}

// warmPlans lists every variant a warm request covers.
func (s *Server) warmPlans(cat *catalog.Catalog, req WarmRequest) ([]variantPlan, error) {
	pick := func(all, want []string, field string) ([]string, error) {
		if len(want) == 0 {
			return all, nil
		}
		for _, w := range want {
			if !slices.Contains(all, w) {
				return nil, problem.New(http.StatusBadRequest, "invalid_warm", "%s %q is not in the catalog", field, w).WithField(field)
			}
		}
		return want, nil
	}
	var skus, presets, locales []string
	for _, k := range cat.SKUs {
		skus = append(skus, k.ID)
	}
	for _, p := range cat.Presets {
		presets = append(presets, p.Name)
	}
	for l := range cat.Locales {
		locales = append(locales, l)
	}
	slices.Sort(locales)
	if len(locales) == 0 {
		locales = []string{""}
	}
	skus, err := pick(skus, req.SKUs, "skus")
	if err != nil {
		return nil, err
	}
	if presets, err = pick(presets, req.Presets, "presets"); err != nil {
		return nil, err
	}
	if locales, err = pick(locales, req.Locales, "locales"); err != nil {
		return nil, err
	}
	formats := []transform.Format{transform.AVIF, transform.WebP, transform.JPEG}
	if len(req.Formats) > 0 {
		formats = nil
		for _, f := range req.Formats {
			ff, err := transform.ParseFormat(f)
			if err != nil || ff == transform.Auto {
				return nil, problem.New(http.StatusBadRequest, "invalid_warm", "format %q is not jpg, png, webp or avif", f).WithField("formats")
			}
			formats = append(formats, ff)
		}
	}
	var plans []variantPlan
	for _, id := range skus {
		sku, _ := cat.SKU(id)
		for _, view := range sku.Views {
			orig, err := cat.Resolve(id, view, req.Hub)
			if err != nil {
				return nil, err
			}
			for _, pn := range presets {
				preset, _ := cat.Preset(pn)
				for _, f := range formats {
					for _, l := range locales {
						plans = append(plans, s.plan(cat, orig, id, view, l, presetSpec(preset, f)))
					}
				}
			}
		}
	}
	const maxWarm = 100_000
	if len(plans) > maxWarm {
		return nil, problem.New(http.StatusBadRequest, "invalid_warm", "the request covers %d variants, over %d: narrow it", len(plans), maxWarm)
	}
	return plans, nil
}

func (s *Server) runWarm(job *warmState, plans []variantPlan) {
	var g errgroup.Group
	g.SetLimit(max(s.Renderer.Config().Concurrency, 2))
	seen := map[string]bool{}
	for _, p := range plans {
		if seen[p.key] { // two locales sharing a colour profile share a variant
			job.done.Add(1)
			job.cached.Add(1)
			continue
		}
		seen[p.key] = true
		g.Go(func() error {
			defer job.done.Add(1)
			if _, ok := s.Cache.Lookup(p.key); ok {
				job.cached.Add(1)
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
			defer cancel()
			_, src, err := s.Cache.Get(ctx, p.key, p.renderFunc(s))
			switch {
			case err != nil:
				job.failed.Add(1)
				job.mu.Lock()
				if len(job.Errors) < 20 {
					job.Errors = append(job.Errors, p.orig.Key+" "+p.spec.Canonical()+": "+toProblem(err).Detail)
				}
				job.mu.Unlock()
			case src == cache.FromRender:
				job.rendered.Add(1)
			default:
				job.cached.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait()
	s.Cache.Wait()
	now := time.Now().UTC()
	job.mu.Lock()
	job.State, job.Finished = "done", &now
	job.mu.Unlock()
	s.log.Info("warm finished", "id", job.ID, "hub", job.Hub, "variants", job.Total, "rendered", job.rendered.Load(), "failed", job.failed.Load())
}

// warmStatus serves GET /admin/warm/{id}.
func (s *Server) warmStatus(c *fiber.Ctx) error {
	job, ok := s.warmJobs.get(c.Params("id"))
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
