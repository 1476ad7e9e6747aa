package gallery

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Config bounds the service's memory and CPU.
type Config struct {
	// CacheEntries bounds the measurements kept, by original key, ETag and
	// swatch: a few hundred bytes each, so the default holds a large
	// catalog's photos in well under a megabyte.
	CacheEntries int
	// Decodes bounds the originals decoded and measured at once, across
	// every report: that is the cost (tens of ms of CPU each, on threads
	// as nice as the renders') and it shares the machine with the renders,
	// whose admission predicts their wait from their recent durations.
	Decodes int
}

// DefaultConfig is what the admin API uses.
func DefaultConfig() Config { return Config{CacheEntries: 4096, Decodes: 1} }

// Service measures originals for gallery reports. A measurement is kept
// by the original's key and ETag, so a repeated report decodes only
// photos that changed; concurrent reports asking for one photo decode it
// once (singleflight, re-checking the cache inside the flight).
type Service struct {
	blob    store.Blob
	render  transform.Config
	cache   *lru.Cache[string, PhotoMeasurement]
	slots   chan struct{}
	flight  singleflight.Group
	decoded atomic.Int64
}

// New builds a service reading originals from blob with the renderer's
// limits (render.MaxSourceBytes and the pixel limits apply).
func New(cfg Config, blob store.Blob, render transform.Config) (*Service, error) {
	if blob == nil {
		return nil, errors.New("gallery: a store is required")
	}
	if cfg.CacheEntries <= 0 || cfg.Decodes <= 0 {
		return nil, fmt.Errorf("gallery: cache entries (%d) and decodes (%d) must be positive", cfg.CacheEntries, cfg.Decodes)
	}
	cache, err := lru.New[string, PhotoMeasurement](cfg.CacheEntries)
	if err != nil {
		return nil, err
	}
	return &Service{blob: blob, render: render, cache: cache, slots: make(chan struct{}, cfg.Decodes)}, nil
}

// Decoded is how many originals the service has decoded: a report served
// from the cache does not add to it.
func (s *Service) Decoded() int64 { return s.decoded.Load() }

// PhotoError is an original that is in the store but cannot be measured
// (corrupt, unsupported, over the limits). The report lists it with its
// reason rather than failing the SKU.
type PhotoError struct{ Err error }

func (e *PhotoError) Error() string { return e.Err.Error() }
func (e *PhotoError) Unwrap() error { return e.Err }

// measure returns the measurement of one original, from the cache or by
// decoding it. Store errors pass through; decode errors are *PhotoError.
func (s *Service) measure(ctx context.Context, orig catalog.Original, sw *Swatch) (PhotoMeasurement, error) {
	key := orig.Key + "@" + orig.ETag
	if sw != nil {
		key += fmt.Sprintf("|%v|%v", sw.Rect, sw.Lab)
	}
	if m, ok := s.cache.Get(key); ok {
		return m, nil
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		if m, ok := s.cache.Get(key); ok {
			return m, nil
		}
		m, err := s.decodeAndMeasure(ctx, orig, sw)
		if err != nil {
			return nil, err
		}
		s.cache.Add(key, m)
		return m, nil
	})
	if err != nil {
		return PhotoMeasurement{}, err
	}
	return v.(PhotoMeasurement), nil
}

// decodeAndMeasure reads and decodes one original within a decode slot.
func (s *Service) decodeAndMeasure(ctx context.Context, orig catalog.Original, sw *Swatch) (PhotoMeasurement, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return PhotoMeasurement{}, ctx.Err()
	}
	obj, err := s.blob.Get(ctx, orig.Key, store.GetOptions{MaxBytes: int64(s.render.MaxSourceBytes)})
	if errors.Is(err, store.ErrTooLarge) {
		return PhotoMeasurement{}, &PhotoError{Err: err}
	}
	if err != nil {
		return PhotoMeasurement{}, fmt.Errorf("gallery: reading %s: %w", orig.Key, err)
	}
	var m PhotoMeasurement
	transform.Niced(s.render, func() {
		var px *transform.Pixels
		if px, err = transform.SampleGallery(obj.Data, s.render); err == nil {
			m = MeasurePhoto(px, sw)
		}
	})
	if err != nil {
		return PhotoMeasurement{}, &PhotoError{Err: err}
	}
	s.decoded.Add(1)
	return m, nil
}
