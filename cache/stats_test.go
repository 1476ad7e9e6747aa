package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
)

// TestStats: tier counters as Prometheus keeps them, and a busy key that
// stays on top while a flood of one-off keys passes through the counter.
func TestStats(t *testing.T) {
	l1 := cache.NewMemory(1 << 30)
	l2 := &slowTier{m: map[string]*cache.Entry{}}
	tiered := newTiered(t, cache.TieredConfig{L1: l1, L2: l2, BackfillTimeout: time.Second})
	ctx := context.Background()
	render := func(context.Context) (*cache.Entry, error) {
		return &cache.Entry{Data: make([]byte, 100), ContentType: "image/webp", Width: 10, Height: 10, Tags: []string{"sku-busy"}}, nil
	}
	busy := cache.Key("busy", "h")
	for range 50 {
		if _, _, err := tiered.Get(ctx, busy, render); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		if _, _, err := tiered.Get(ctx, cache.Key("once", fmt.Sprint(i)), render); err != nil {
			t.Fatal(err)
		}
	}
	tiered.Wait()
	st := tiered.Stats(5)
	if st.Renders != 1001 {
		t.Errorf("renders %d, want 1001", st.Renders)
	}
	if len(st.Tiers) != 2 || st.Tiers[0].Name != "l1" || st.Tiers[0].Hits != 49 || st.Tiers[0].Misses != 1001 || st.Tiers[0].HitBytes != 4900 {
		t.Errorf("l1 %+v, want 49 hits of 100 bytes and 1001 misses", st.Tiers[0])
	}
	if l2s := st.Tiers[1]; l2s.Hits != 0 || l2s.Misses != 1001 || l2s.HitRatio != 0 {
		t.Errorf("l2 %+v", l2s)
	}
	if len(st.Top) != 5 {
		t.Fatalf("top has %d keys, want 5", len(st.Top))
	}
	top := st.Top[0]
	if top.Key != busy || top.SKU != "busy" || top.Requests < 50 || top.Requests-top.Error != 50 || top.LastTier != cache.FromL1 || top.Bytes != 100 {
		t.Errorf("top key %+v, want busy with 50 requests last from l1", top)
	}
	for _, k := range st.Top[1:] {
		if k.Requests > top.Requests {
			t.Errorf("%s (%d) ranks above the busy key", k.Key, k.Requests)
		}
	}
}
