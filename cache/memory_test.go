package cache_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// TestMemoryBudget: under every policy, filling L1 far past its budget
// keeps the accounted bytes within it and evicts; a fresh entry is held
// after its Set; overwrites count once; oversized entries are not stored.
func TestMemoryBudget(t *testing.T) {
	for _, name := range policy.Names() {
		t.Run(name, func(t *testing.T) { testMemoryBudget(t, name) })
	}
}

func testMemoryBudget(t *testing.T, name string) {
	const budget = 1 << 20
	m, err := cache.NewMemoryWith(budget, name)
	if err != nil {
		t.Fatal(err)
	}
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
	if st := m.Stats(); st.Evictions == 0 || st.Entries == 0 || st.Policy != name {
		t.Fatalf("stats %+v", st)
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
}

// TestMemoryPurge: Purge drops exactly one SKU's entries, reports how many,
// and leaves the other SKUs' entries in place.
func TestMemoryPurge(t *testing.T) {
	for _, name := range policy.Names() {
		m, err := cache.NewMemoryWith(64<<20, name)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := range 300 {
			_ = m.Set(ctx, fmt.Sprintf("sku-%d/k%d", i%3, i), &cache.Entry{Data: make([]byte, 1000)})
		}
		if n, _ := m.Purge(ctx, "sku-1"); n != 100 {
			t.Errorf("%s: purge removed %d, want 100", name, n)
		}
		if n, _ := m.Purge(ctx, "sku-1"); n != 0 {
			t.Errorf("%s: a second purge removed %d", name, n)
		}
		for i := range 300 {
			_, err := m.Get(ctx, fmt.Sprintf("sku-%d/k%d", i%3, i))
			if purged := i%3 == 1; purged != (err != nil) {
				t.Fatalf("%s: sku-%d/k%d: purged %v, Get err %v", name, i%3, i, purged, err)
			}
		}
		if m.Len() != 200 {
			t.Errorf("%s: %d entries after the purge, want 200", name, m.Len())
		}
	}
}

// TestMemoryPolicyByName: an unknown policy is an error; "" is the default.
func TestMemoryPolicyByName(t *testing.T) {
	if _, err := cache.NewMemoryWith(1<<20, "arc"); err == nil {
		t.Error("an unknown policy was accepted")
	}
	m, err := cache.NewMemoryWith(1<<20, "")
	if err != nil || m.Policy() != policy.Default {
		t.Errorf("NewMemoryWith(\"\") = %v, %v", m.Policy(), err)
	}
	if cache.NewMemory(1<<20).Policy() != policy.Default {
		t.Error("NewMemory does not run the default policy")
	}
	cfg := cache.Config{L1Bytes: 1 << 20, Policy: "arc", BackfillTimeout: 1, L2MaxEntryBytes: 1 << 20}
	if err := cfg.Validate(); err == nil {
		t.Error("Config.Validate accepted an unknown policy")
	}
}
