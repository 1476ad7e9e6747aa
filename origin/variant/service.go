package variant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Renderer renders one variant from an original; *transform.Renderer is the
// real one, tests wrap it to count renders.
type Renderer interface {
	Render(ctx context.Context, req transform.Request) (*transform.Result, error)
	// MeasureGamut decides whether a P3 locale needs a P3 variant of an
	// original (gamut.go).
	MeasureGamut(ctx context.Context, src []byte) (transform.Gamut, error)
	// BuildPyramid makes an original's mezzanines from one decode
	// (pyramid.go).
	BuildPyramid(ctx context.Context, src []byte) (*transform.Pyramid, error)
	Config() transform.Config
}

// Config tunes the service.
type Config struct {
	// RequestTimeout bounds a miss: store reads, the render queue and the
	// render itself.
	RequestTimeout time.Duration
	// DeltaEThreshold is the swatch ΔE2000 above which the colour report
	// lists a variant.
	DeltaEThreshold float64
}

// Deps are the parts the service reads and fills.
type Deps struct {
	Catalog  *catalog.Source
	Store    store.Blob
	Renderer Renderer
	Cache    *cache.Tiered
	Registry prometheus.Registerer
}

// Service finds or makes variants.
type Service struct {
	cfg      Config
	deps     Deps
	settings transform.Config
	colour   *ColourReport
	gamut    *gamutDecisions
	// alpha remembers which sources have an alpha channel, for fmt=auto.
	alpha *lru.Cache[string, bool]
	plans *planMemo
	// pyramids are the originals' mezzanines small variants render from.
	pyramids *pyramids
}

// New builds the service.
func New(cfg Config, d Deps) (*Service, error) {
	if d.Catalog == nil || d.Store == nil || d.Renderer == nil || d.Cache == nil {
		return nil, errors.New("variant: catalog, store, renderer and cache are required")
	}
	if cfg.RequestTimeout <= 0 {
		return nil, errors.New("variant: RequestTimeout must be > 0")
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	alpha, _ := lru.New[string, bool](4096)
	return &Service{
		cfg: cfg, deps: d, settings: d.Renderer.Config(), alpha: alpha, plans: newPlanMemo(),
		colour: newColourReport(cfg.DeltaEThreshold, d.Registry), gamut: newGamutDecisions(d.Registry),
		pyramids: newPyramids(d.Store, d.Cache.HasL2(), d.Renderer, d.Registry),
	}, nil
}

// Catalog is the catalog in force.
func (s *Service) Catalog() *catalog.Catalog { return s.deps.Catalog.Current() }

// Cache is the tiers the service reads and fills.
func (s *Service) Cache() *cache.Tiered { return s.deps.Cache }

// RenderConfig is the renderer's configuration: the limits specs are
// checked against and the settings keys include.
func (s *Service) RenderConfig() transform.Config { return s.settings }

// Colour is the report of measured swatches over the threshold.
func (s *Service) Colour() *ColourReport { return s.colour }

// Get returns the variant of a plan from the first tier that has it, or
// renders it once however many ask at once. A P3 plan is first resolved to
// the variant its photo needs (resolveGamut: P3, or the shared sRGB one). A
// fresh measurement (not an L1 hit) of the swatch goes to the colour report.
func (s *Service) Get(ctx context.Context, p Plan) (*cache.Entry, cache.Source, error) {
	p = s.resolveGamut(ctx, p)
	if e, ok := s.deps.Cache.Lookup(p.Key); ok {
		return e, cache.FromL1, nil
	}
	ctx, cancel := context.WithTimeout(cache.WithPeerRequest(ctx, p.peerPlan()), s.cfg.RequestTimeout)
	defer cancel()
	e, src, err := s.deps.Cache.Get(ctx, p.Key, func(ctx context.Context) (*cache.Entry, error) {
		return s.render(ctx, p)
	})
	if err != nil {
		return nil, src, err
	}
	if e.DeltaE != nil {
		s.colour.record(p, *e.DeltaE, e.Created)
	}
	return e, src, nil
}

// render renders a plan; the renderer fetches the original once the miss
// has a place in its line. It runs at most once per key at a time (inside
// the cache's flight).
func (s *Service) render(ctx context.Context, p Plan) (*cache.Entry, error) {
	done := s.pyramids.admission.start(p.Orig) // counted while it waits for a slot too
	defer done()
	res, err := s.deps.Renderer.Render(ctx, transform.Request{
		Spec: p.Spec, Look: p.Look,
		Load: func(ctx context.Context) ([]byte, string, error) {
			return s.pyramids.load(ctx, p.Orig, p.Spec, func(ctx context.Context) (*store.Object, error) {
				return s.source(ctx, p.Orig)
			})
		},
	})
	if err != nil {
		return nil, err
	}
	return &cache.Entry{
		Data:        res.Data,
		ContentType: res.ContentType,
		ETag:        etag(p.Key, res.Data),
		Width:       res.Width,
		Height:      res.Height,
		DeltaE:      res.DeltaE,
		Quality:     res.QualityLabel(),
		Tags:        p.Tags,
		Created:     time.Now().UTC(),
		RenderMS:    float64(res.Elapsed.Microseconds()) / 1000,
	}, nil
}

// etag is a strong validator of the bytes under their key: the key names
// the render settings, so a config change that happens to give the same
// bytes still changes the ETag, and no CDN keeps a copy validated across it.
func etag(key string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(data)
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

func (s *Service) source(ctx context.Context, orig catalog.Original) (*store.Object, error) {
	return s.deps.Store.Get(ctx, orig.Key, store.GetOptions{MaxBytes: int64(s.settings.MaxSourceBytes)})
}

// HasAlpha reports whether an original has an alpha channel, reading only
// its header, once per original and ETag.
func (s *Service) HasAlpha(ctx context.Context, orig catalog.Original) (bool, error) {
	id := orig.Key + "@" + orig.ETag
	if a, ok := s.alpha.Get(id); ok {
		return a, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	obj, err := s.source(ctx, orig)
	if err != nil {
		return false, err
	}
	info, err := transform.Inspect(obj.Data, s.settings)
	if err != nil {
		return false, err
	}
	s.alpha.Add(id, info.HasAlpha)
	return info.HasAlpha, nil
}
