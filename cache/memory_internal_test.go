package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// checkBudget verifies Memory's invariants at one instant, shard by shard:
// the accounted bytes are the sum of the held entries' sizes and within the
// shard's share of the budget, and the SKU index lists exactly the keys held.
func (m *Memory) checkBudget() error {
	for i, s := range m.shards {
		if err := s.check(m.budget / int64(len(m.shards))); err != nil {
			return fmt.Errorf("shard %d: %w", i, err)
		}
	}
	return nil
}

func (s *memShard) check(share int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum int64
	held := 0
	var err error
	s.policy.(policy.Ranger[*Entry]).Range(func(key string, e *Entry, size int64) bool {
		sum += e.Size()
		held++
		if size != e.Size() {
			err = fmt.Errorf("%s: accounted %d bytes, entry holds %d", key, size, e.Size())
		} else if _, ok := s.index[skuOf(key)][key]; !ok {
			err = fmt.Errorf("%s: held but not in the SKU index", key)
		}
		return err == nil
	})
	indexed := 0
	for _, keys := range s.index {
		indexed += len(keys)
	}
	switch {
	case err != nil:
		return err
	case sum != s.policy.Bytes():
		return fmt.Errorf("%d bytes accounted, entries hold %d", s.policy.Bytes(), sum)
	case s.policy.Bytes() > share:
		return fmt.Errorf("%d bytes held, share %d", s.policy.Bytes(), share)
	case indexed != held || held != s.policy.Len():
		return fmt.Errorf("%d keys indexed, %d held, Len %d", indexed, held, s.policy.Len())
	}
	return nil
}

// TestMemoryBudgetConcurrent: with Set (overwrites and over-budget entries
// included), Get and Purge running at once, the bytes held never exceed the
// budget and always equal what the entries hold. Run with -race.
func TestMemoryBudgetConcurrent(t *testing.T) {
	for _, name := range policy.Names() {
		for _, shards := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%dshards", name, shards), func(t *testing.T) {
				m, err := newMemory(256<<10*int64(shards), name, shards)
				if err != nil {
					t.Fatal(err)
				}
				testMemoryBudgetConcurrent(t, m)
			})
		}
	}
}

func testMemoryBudgetConcurrent(t *testing.T, m *Memory) {
	const budget = 256 << 10 // per shard
	ctx := context.Background()
	stop := make(chan struct{})
	var workers, checker sync.WaitGroup
	for w := range 4 {
		workers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1)) //nolint:gosec // test load, not a secret
			for range 3000 {
				key := fmt.Sprintf("sku-%d/%d", rng.IntN(5), rng.IntN(64))
				switch op := rng.IntN(10); {
				case op < 6:
					size := rng.IntN(budget / 8)
					if rng.IntN(50) == 0 {
						size = budget + 1 // never stored
					}
					_ = m.Set(ctx, key, &Entry{Data: make([]byte, size), Tags: []string{key[:5]}})
				case op < 9:
					_, _ = m.Get(ctx, key)
				default:
					_, _ = m.Purge(ctx, fmt.Sprintf("sku-%d", rng.IntN(5)))
				}
			}
		})
	}
	checker.Go(func() {
		for {
			if err := m.checkBudget(); err != nil {
				t.Error(err)
				return
			}
			if st := m.Stats(); st.Bytes > st.Budget {
				t.Errorf("Stats: %d bytes held, budget %d", st.Bytes, st.Budget)
				return
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	})
	workers.Wait()
	close(stop)
	checker.Wait()
	if err := m.checkBudget(); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Evictions == 0 || st.Entries == 0 {
		t.Errorf("the load neither filled nor overflowed the budget: %+v", st)
	}
}
