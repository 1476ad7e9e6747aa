package cache_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache"
)

// TestMemoryBudget: filling L1 far past its budget keeps the accounted bytes
// within it, evicting the least recently used entries first.
func TestMemoryBudget(t *testing.T) {
	const budget = 1 << 20
	m := cache.NewMemory(budget)
	ctx := context.Background()
	for i := range 500 {
		e := &cache.Entry{Data: make([]byte, 10_000+i*37), ContentType: "image/webp", ETag: fmt.Sprintf(`"%d"`, i)}
		if err := m.Set(ctx, fmt.Sprintf("sku-%d/k%d", i%7, i), e); err != nil {
			t.Fatal(err)
		}
		if m.Bytes() > budget {
			t.Fatalf("after %d sets: %d bytes accounted, budget %d", i+1, m.Bytes(), budget)
		}
	}
	if m.Evictions() == 0 || m.Len() == 0 {
		t.Fatalf("evictions %d, entries %d", m.Evictions(), m.Len())
	}
	// The newest entry is in, the oldest is gone.
	if _, err := m.Get(ctx, "sku-2/k499"); err != nil {
		t.Error("the newest entry was evicted")
	}
	if _, err := m.Get(ctx, "sku-0/k0"); err == nil {
		t.Error("the oldest entry survived a full budget")
	}
	// Overwriting a key does not count its bytes twice.
	before := m.Bytes()
	e := &cache.Entry{Data: make([]byte, 100)}
	_ = m.Set(ctx, "x/1", e)
	_ = m.Set(ctx, "x/1", e)
	if got := m.Bytes(); got > before+e.Size() {
		t.Errorf("overwrite accounted twice: %d → %d", before, got)
	}
	// An entry larger than the whole budget is not stored.
	_ = m.Set(ctx, "big/1", &cache.Entry{Data: make([]byte, budget+1)})
	if _, err := m.Get(ctx, "big/1"); err == nil {
		t.Error("an entry over the budget was stored")
	}
	// Purge drops exactly one SKU's entries.
	n, _ := m.Purge(ctx, "sku-3")
	if n == 0 {
		t.Error("purge removed nothing")
	}
	for i := 0; i < 500; i++ {
		if _, err := m.Get(ctx, fmt.Sprintf("sku-3/k%d", i)); err == nil && i%7 == 3 {
			t.Fatalf("sku-3/k%d survived the purge", i)
		}
	}
}
