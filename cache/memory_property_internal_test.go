package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// TestMemoryRandomOps: random Get/Set/Purge sequences (sizes up to twice a
// shard's share, replacements included) keep, after every operation, the
// byte invariant and the SKU index (checkBudget), never serve a stale or
// purged entry, and count as evictions what the policy dropped.
func TestMemoryRandomOps(t *testing.T) {
	for _, name := range policy.Names() {
		for _, shards := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%dshards", name, shards), func(t *testing.T) {
				for seed := range uint64(5) {
					testMemoryRandomOps(t, name, shards, seed)
				}
			})
		}
	}
}

func testMemoryRandomOps(t *testing.T, name string, shards int, seed uint64) {
	const share = 64 << 10
	m, err := newMemory(share*int64(shards), name, shards)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2)) //nolint:gosec // test load, not a secret
	ctx := context.Background()
	latest := map[string]*Entry{}
	for i := range 3000 {
		key := fmt.Sprintf("sku-%d/%d", rng.IntN(6), rng.IntN(40))
		switch op := rng.IntN(10); {
		case op < 5:
			e := &Entry{Data: make([]byte, rng.IntN(share/4)), ETag: fmt.Sprint(i)}
			if rng.IntN(30) == 0 {
				e.Data = make([]byte, 2*share) // over a shard's share: not stored
			}
			_ = m.Set(ctx, key, e)
			latest[key] = e
		case op < 9:
			if got, err := m.Get(ctx, key); err == nil && got != latest[key] {
				t.Fatalf("seed %d op %d: Get(%s) served a stale entry", seed, i, key)
			}
		default:
			sku := fmt.Sprintf("sku-%d", rng.IntN(6))
			_, _ = m.Purge(ctx, sku)
			for k := range latest {
				if strings.HasPrefix(k, sku+"/") {
					delete(latest, k)
				}
			}
		}
		if err := m.checkBudget(); err != nil {
			t.Fatalf("seed %d op %d: %v", seed, i, err)
		}
	}
	if st := m.Stats(); st.Evictions == 0 {
		t.Errorf("seed %d: no evictions counted: %+v", seed, st)
	}
}
