package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// checkBudget verifies Memory's invariant at one instant: the accounted
// bytes are the sum of the held entries' sizes and within the budget.
func (m *Memory) checkBudget() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum int64
	for _, e := range m.lru.Values() {
		sum += e.Size()
	}
	switch {
	case sum != m.bytes:
		return fmt.Errorf("%d bytes accounted, entries hold %d", m.bytes, sum)
	case m.bytes > m.budget:
		return fmt.Errorf("%d bytes held, budget %d", m.bytes, m.budget)
	}
	return nil
}

// TestMemoryBudgetConcurrent: with Set (overwrites and over-budget entries
// included), Get and Purge running at once, the bytes held never exceed the
// budget and always equal what the entries hold. Run with -race.
func TestMemoryBudgetConcurrent(t *testing.T) {
	const budget = 256 << 10
	m := NewMemory(budget)
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
