package cache

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrMiss is returned by Tier.Get when the key is not cached.
var ErrMiss = errors.New("cache: miss")

// Entry is a rendered variant with what the HTTP layer needs to serve it.
type Entry struct {
	Data        []byte    `json:"-"`
	ContentType string    `json:"content_type"`
	ETag        string    `json:"etag"` // strong, quoted, from the content hash
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	DeltaE      *float64  `json:"delta_e,omitempty"`
	Quality     string    `json:"quality,omitempty"`
	Tags        []string  `json:"tags,omitempty"` // purge keys: the SKU, the hub
	Created     time.Time `json:"created"`
	RenderMS    float64   `json:"render_ms"`
}

// Size is what the entry costs a memory budget.
func (e *Entry) Size() int64 {
	n := int64(len(e.Data)) + int64(len(e.ContentType)+len(e.ETag)) + 128
	for _, t := range e.Tags {
		n += int64(len(t)) + 16
	}
	return n
}

// HasTag reports whether the entry carries a purge tag.
func (e *Entry) HasTag(tag string) bool {
	for _, t := range e.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Tier is one level of the cache. Implementations are safe for concurrent use.
//
// Keys have the form "{sku}/{hash}" (see Key), so a tier can drop every
// variant of a SKU without an index.
type Tier interface {
	Name() string
	Get(ctx context.Context, key string) (*Entry, error)
	Set(ctx context.Context, key string, e *Entry) error
	// Purge removes every entry of a SKU and returns how many it removed.
	Purge(ctx context.Context, sku string) (int, error)
}

// Key builds a cache key from the SKU and the variant's content hash.
func Key(sku, hash string) string { return sku + "/" + hash }

func skuOf(key string) string {
	sku, _, _ := strings.Cut(key, "/")
	return sku
}
