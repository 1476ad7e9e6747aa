package images

import (
	"context"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/variant"
)

// sourceSizes remembers originals' sizes by key and ETag (a new ETag is a
// new original), so that hints asking for more pixels than a source has
// are capped at it. Only those requests ask: the first per original reads
// its header from the store (once, however many ask at once), later ones
// cost a map lookup.
type sourceSizes struct {
	variants *variant.Service
	known    *lru.Cache[string, box]
	flight   singleflight.Group
}

func newSourceSizes(variants *variant.Service) *sourceSizes {
	known, _ := lru.New[string, box](16384) // ~80 bytes each
	return &sourceSizes{variants: variants, known: known}
}

// of is the original's displayed size; false when it cannot be read now
// (the store is failing): the hints then go uncapped, as hints are
// advisory, and the render reports the store's error if it needs it.
func (s *sourceSizes) of(ctx context.Context, orig catalog.Original) (box, bool) {
	id := orig.Key + "@" + orig.ETag
	if b, ok := s.known.Get(id); ok {
		return b, true
	}
	v, err, _ := s.flight.Do(id, func() (any, error) {
		w, h, err := s.variants.SourceSize(ctx, orig)
		if err != nil {
			return box{}, err
		}
		b := box{Width: w, Height: h}
		s.known.Add(id, b)
		return b, nil
	})
	if err != nil {
		return box{}, false
	}
	return v.(box), true
}
