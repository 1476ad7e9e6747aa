package variant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// PyramidPrefix is the store prefix of source pyramids:
// pyramids/{sku}/{view}/{id}/{manifest.json,512.jpg,...}, id hashing the
// original's key and ETag, PyramidVersion and PipelineVersion.
const PyramidPrefix = "pyramids/"

// pyramidUploads bounds the background uploads of new pyramids; a build
// that finds them all busy skips its upload (counted) rather than queue
// mezzanines in memory.
const pyramidUploads = 4

// manifest is a pyramid's index: enough to pick a level without reading one.
type manifest struct {
	Version string          `json:"version"`
	Width   int             `json:"width"`
	Height  int             `json:"height"`
	Levels  []manifestLevel `json:"levels"`
}

type manifestLevel struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

func (m *manifest) pyramid() *transform.Pyramid {
	p := &transform.Pyramid{Width: m.Width, Height: m.Height}
	for _, l := range m.Levels {
		p.Levels = append(p.Levels, transform.PyramidLevel{Width: l.Width, Height: l.Height})
	}
	return p
}

// built is one flight's outcome: the pyramid's index and, when this flight
// read the original, the original and the mezzanines it made. direct: the
// flight read the original and admission left the pyramid for a later miss.
type built struct {
	m      *manifest
	orig   *store.Object
	levels []transform.PyramidLevel
	direct bool
}

// pyramids finds or makes source pyramids: memory, then the store, then one
// build per original however many misses ask at once.
type pyramids struct {
	blob store.Blob
	// persist keeps pyramids in the store too; off with the results tier
	// (L2), so a server told not to write derived data there writes none.
	persist   bool
	render    Renderer
	cfg       transform.Config
	log       *slog.Logger
	flights   singleflight.Group
	manifests *lru.Cache[string, *manifest]
	levels    *levelCache
	uploads   chan struct{}
	pending   sync.WaitGroup
	admission *admission
	m         pyramidMetrics
}

type pyramidMetrics struct {
	hits, decodes, uploads   *prometheus.CounterVec
	builds, misses, deferred prometheus.Counter
}

func newPyramids(blob store.Blob, persist bool, r Renderer, reg prometheus.Registerer) *pyramids {
	cfg := r.Config()
	manifests, _ := lru.New[string, *manifest](16384)
	f := promauto.With(reg)
	return &pyramids{
		blob: blob, persist: persist, render: r, cfg: cfg, log: slog.Default(), manifests: manifests,
		levels:  newLevelCache(int64(cfg.PyramidBytes), f.NewGauge(prometheus.GaugeOpts{Name: "edgeshelf_pyramid_bytes", Help: "Bytes of source-pyramid levels held in memory."})),
		uploads: make(chan struct{}, pyramidUploads), admission: newAdmission(cfg.PyramidAdmit),
		m: pyramidMetrics{
			hits:     f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_pyramid_hits_total", Help: "Pyramid levels found, by tier (memory, store, build: made by this miss)."}, []string{"tier"}),
			misses:   f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_pyramid_misses_total", Help: "Variant misses no pyramid level could serve (too large, ineligible source, pyramid off)."}),
			deferred: f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_pyramid_deferred_total", Help: "Lone first misses of an original rendered straight from it, its pyramid left to a later miss (PYRAMID_ADMIT)."}),
			builds:   f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_pyramid_builds_total", Help: "Pyramids built from a decode of their original."}),
			decodes:  f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_source_decodes_total", Help: "Decodes of variant sources, by source (original, pyramid)."}, []string{"source"}),
			uploads:  f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_pyramid_uploads_total", Help: "Background pyramid uploads to the store, by result (ok, error, skipped: all upload slots busy)."}, []string{"result"}),
		},
	}
}

// pyramidDir is the store folder of an original's pyramid:
// originals/{sku}/{view}[@hub].{ext} → pyramids/{sku}/{view}[@hub]/{id}.
func pyramidDir(orig catalog.Original) string {
	h := sha256.Sum256([]byte(strings.Join([]string{orig.Key, orig.ETag, transform.PyramidVersion, transform.PipelineVersion}, "\x00")))
	rel := strings.TrimPrefix(orig.Key, "originals/")
	rel = strings.TrimSuffix(rel, path.Ext(rel))
	return PyramidPrefix + rel + "/" + hex.EncodeToString(h[:12])
}

func levelKey(dir string, l transform.PyramidLevel) string {
	return fmt.Sprintf("%s/%d.jpg", dir, l.LongEdge())
}

// load is a render's Load: the smallest mezzanine that serves the spec, or
// the original. Once an original has a pyramid, no miss it serves reads
// or decodes the original (admission decides which miss builds it).
func (p *pyramids) load(ctx context.Context, orig catalog.Original, spec transform.Spec, readOrig func(context.Context) (*store.Object, error)) ([]byte, string, error) {
	if p.cfg.PyramidMinRatio <= 0 {
		return p.fromOriginal(ctx, orig, nil, readOrig)
	}
	dir := pyramidDir(orig)
	b, err := p.find(ctx, dir, orig, readOrig)
	if err != nil {
		return nil, "", err
	}
	if b.direct {
		p.m.deferred.Inc()
		return p.fromOriginal(ctx, orig, b.orig, readOrig)
	}
	pyr := b.m.pyramid()
	if i := pyr.Pick(spec, p.cfg, p.cfg.PyramidMinRatio); i >= 0 {
		if data, ok := p.level(ctx, dir, pyr.Levels[i], b); ok {
			p.m.decodes.WithLabelValues("pyramid").Inc()
			return data, fmt.Sprintf("%s@%s#%s/%d", orig.Key, orig.ETag, transform.PyramidVersion, pyr.Levels[i].LongEdge()), nil
		}
	}
	p.m.misses.Inc()
	return p.fromOriginal(ctx, orig, b.orig, readOrig)
}

func (p *pyramids) fromOriginal(ctx context.Context, orig catalog.Original, have *store.Object, readOrig func(context.Context) (*store.Object, error)) ([]byte, string, error) {
	obj := have
	if obj == nil {
		var err error
		if obj, err = readOrig(ctx); err != nil {
			return nil, "", err
		}
	}
	p.m.decodes.WithLabelValues("original").Inc()
	return obj.Data, obj.Key + "@" + obj.ETag, nil
}

// find returns the pyramid's index from memory or the store, or builds the
// pyramid: one flight per original, ETag and version.
func (p *pyramids) find(ctx context.Context, dir string, orig catalog.Original, readOrig func(context.Context) (*store.Object, error)) (built, error) {
	if m, ok := p.manifests.Get(dir); ok {
		return built{m: m}, nil
	}
	v, err, _ := p.flights.Do(dir, func() (any, error) {
		if m, ok := p.manifests.Get(dir); ok {
			return built{m: m}, nil
		}
		if !p.persist {
			return p.build(ctx, dir, orig, readOrig)
		}
		if obj, err := p.blob.Get(ctx, dir+"/manifest.json", store.GetOptions{}); err == nil {
			var m manifest
			if json.Unmarshal(obj.Data, &m) == nil && m.Version == transform.PyramidVersion {
				p.manifests.Add(dir, &m)
				return built{m: &m}, nil
			}
		}
		return p.build(ctx, dir, orig, readOrig)
	})
	if err != nil {
		return built{}, err
	}
	return v.(built), nil
}

// build reads the original and, when admission says it is time, decodes
// it once, keeps the mezzanines in memory and uploads them in the
// background; the miss that built them renders at once.
func (p *pyramids) build(ctx context.Context, dir string, orig catalog.Original, readOrig func(context.Context) (*store.Object, error)) (built, error) {
	obj, err := readOrig(ctx)
	if err != nil {
		return built{}, err
	}
	// Decided after the read, so misses queued meanwhile count.
	if !p.admission.build(dir, orig, transform.BuildsAtOnce(obj.Data)) {
		return built{orig: obj, direct: true}, nil
	}
	pyr, err := p.render.BuildPyramid(ctx, obj.Data)
	if err != nil {
		// The render from the original reports what is wrong with it.
		p.log.Debug("pyramid not built", "original", obj.Key, "err", err)
		return built{m: &manifest{Version: transform.PyramidVersion}, orig: obj}, nil
	}
	p.m.builds.Inc()
	m := &manifest{Version: transform.PyramidVersion, Width: pyr.Width, Height: pyr.Height}
	for _, l := range pyr.Levels {
		m.Levels = append(m.Levels, manifestLevel{Width: l.Width, Height: l.Height})
		p.levels.add(levelKey(dir, l), l.Data)
	}
	p.manifests.Add(dir, m)
	if p.persist {
		p.upload(dir, m, pyr.Levels)
	}
	return built{m: m, orig: obj, levels: pyr.Levels}, nil
}

// level reads a mezzanine from this flight's build, memory or the store.
func (p *pyramids) level(ctx context.Context, dir string, l transform.PyramidLevel, b built) ([]byte, bool) {
	key := levelKey(dir, l)
	for _, have := range b.levels {
		if have.LongEdge() == l.LongEdge() {
			p.m.hits.WithLabelValues("build").Inc()
			return have.Data, true
		}
	}
	if data, ok := p.levels.get(key); ok {
		p.m.hits.WithLabelValues("memory").Inc()
		return data, true
	}
	if !p.persist {
		return nil, false
	}
	obj, err := p.blob.Get(ctx, key, store.GetOptions{})
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			p.log.Warn("pyramid level unreadable; rendering from the original", "key", key, "err", err)
		}
		return nil, false
	}
	p.m.hits.WithLabelValues("store").Inc()
	p.levels.add(key, obj.Data)
	return obj.Data, true
}

// upload writes the levels, then the manifest (a manifest in the store means
// its levels are there), without delaying the miss.
func (p *pyramids) upload(dir string, m *manifest, levels []transform.PyramidLevel) {
	select {
	case p.uploads <- struct{}{}:
	default:
		p.m.uploads.WithLabelValues("skipped").Inc()
		return
	}
	p.pending.Add(1)
	go func() {
		defer func() { <-p.uploads; p.pending.Done() }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := p.put(ctx, dir, m, levels)
		if err != nil {
			p.log.Warn("pyramid upload failed", "dir", dir, "err", err)
			p.m.uploads.WithLabelValues("error").Inc()
			return
		}
		p.m.uploads.WithLabelValues("ok").Inc()
	}()
}

func (p *pyramids) put(ctx context.Context, dir string, m *manifest, levels []transform.PyramidLevel) error {
	for _, l := range levels {
		if _, err := p.blob.Put(ctx, levelKey(dir, l), l.Data, store.PutOptions{ContentType: "image/jpeg"}); err != nil {
			return err
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = p.blob.Put(ctx, dir+"/manifest.json", data, store.PutOptions{ContentType: "application/json"})
	return err
}

// purge drops a SKU's pyramids from memory and the store, after the uploads
// under way have landed (so none re-creates one after the purge).
func (p *pyramids) purge(ctx context.Context, sku string) (int, error) {
	p.pending.Wait()
	prefix := PyramidPrefix + sku + "/"
	for _, k := range p.manifests.Keys() {
		if strings.HasPrefix(k, prefix) {
			p.manifests.Remove(k)
		}
	}
	p.levels.dropPrefix(prefix)
	infos, err := p.blob.List(ctx, prefix)
	if err != nil {
		return 0, err
	}
	for _, in := range infos {
		if err := p.blob.Delete(ctx, in.Key); err != nil {
			return 0, err
		}
	}
	return len(infos), nil
}

// PurgePyramids drops a SKU's source pyramids (memory and store), for the
// purge of its variants; it returns the store objects removed.
func (s *Service) PurgePyramids(ctx context.Context, sku string) (int, error) {
	return s.pyramids.purge(ctx, sku)
}

// WaitPyramidUploads waits for the background pyramid uploads under way.
func (s *Service) WaitPyramidUploads() { s.pyramids.pending.Wait() }

// PyramidBytes is the memory the pyramid levels hold.
func (s *Service) PyramidBytes() int64 { return s.pyramids.levels.size() }
