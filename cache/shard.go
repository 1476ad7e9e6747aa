package cache

import (
	"sync"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// memShard is one lock's worth of the memory tier: a policy over its share
// of the budget, and the SKU index that lets Purge visit only a SKU's keys.
//
// Invariant (whenever mu is free): index holds exactly the keys the policy
// holds, each under its SKU, and the policy's bytes are within its budget.
type memShard struct {
	mu        sync.Mutex
	policy    policy.Cache[*Entry]
	index     map[string]map[string]struct{} // sku -> keys held
	evictions int64
	requests  uint64 // Gets, for the shadow's sample correction
}

func newMemShard(name string, budget int64) (*memShard, error) {
	p, err := policy.ByName[*Entry](name, budget)
	if err != nil {
		return nil, err
	}
	s := &memShard{policy: p, index: make(map[string]map[string]struct{})}
	if n, ok := p.(policy.EvictNotifier[*Entry]); ok {
		n.OnEvict(func(key string, _ *Entry) { // called with mu held, from Set
			s.unindex(key)
			s.evictions++
		})
	}
	return s, nil
}

func (s *memShard) get(key string) (*Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	return s.policy.Get(key)
}

// set stores e under key; the index learns key first so an eviction of key
// during the same Set finds it there.
func (s *memShard) set(key string, e *Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sku := skuOf(key)
	keys := s.index[sku]
	if keys == nil {
		keys = make(map[string]struct{})
		s.index[sku] = keys
	}
	keys[key] = struct{}{}
	if !s.policy.Set(key, e, e.Size()) {
		s.unindex(key)
	}
}

// purge removes every key of sku, reading only that SKU's index entry.
func (s *memShard) purge(sku string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for key := range s.index[sku] {
		if _, ok := s.policy.Remove(key); ok {
			n++
		}
	}
	delete(s.index, sku)
	return n
}

func (s *memShard) unindex(key string) {
	sku := skuOf(key)
	if keys, ok := s.index[sku]; ok {
		delete(keys, key)
		if len(keys) == 0 {
			delete(s.index, sku)
		}
	}
}

// fill reads the shard's bytes, entries and evictions under its lock.
func (s *memShard) fill() (bytes int64, entries int, evictions int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy.Bytes(), s.policy.Len(), s.evictions
}

func (s *memShard) gets() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}
