package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
)

// BenchmarkTiered times a Get answered by each source. Every iteration
// checks the error and the source it timed, so a benchmark that silently
// measured a different path (a miss where a hit was meant) fails.
func BenchmarkTiered(b *testing.B) {
	entry := &cache.Entry{Data: make([]byte, 20<<10), ContentType: "image/webp", ETag: `"e"`}
	ctx := context.Background()
	cases := []struct {
		name string
		want cache.Source
		cfg  func(b *testing.B) cache.TieredConfig
		key  func(i int) string
	}{
		{"l1-hit", cache.FromL1, func(*testing.B) cache.TieredConfig { return cache.TieredConfig{L1: cache.NewMemory(1 << 20)} },
			func(int) string { return "sku/hot" }},
		{"l2-hit", cache.FromL2, func(b *testing.B) cache.TieredConfig {
			return cache.TieredConfig{L2: newBlob(b, 1<<20), BackfillTimeout: time.Second}
		}, func(int) string { return "sku/hot" }},
		{"render", cache.FromRender, func(*testing.B) cache.TieredConfig { return cache.TieredConfig{} },
			func(i int) string { return fmt.Sprintf("sku/%d", i) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tiered := newTiered(b, c.cfg(b))
			render := func(context.Context) (*cache.Entry, error) { return entry, nil }
			if _, _, err := tiered.Get(ctx, "sku/hot", render); err != nil { // fill for the hit cases
				b.Fatal(err)
			}
			tiered.Wait()
			i := 0
			for b.Loop() {
				e, src, err := tiered.Get(ctx, c.key(i), render)
				n := -1 // no entry
				if e != nil {
					n = len(e.Data)
				}
				if err != nil || src != c.want || n != len(entry.Data) {
					b.Fatalf("Get %d: %d bytes from %s, %v; want %d bytes from %s", i, n, src, err, len(entry.Data), c.want)
				}
				i++
			}
		})
	}
}
