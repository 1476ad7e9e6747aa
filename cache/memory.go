package cache

import (
	"context"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

var _ Tier = (*Memory)(nil)

// Memory is the compute-adjacent L1: an LRU bounded by the bytes it holds,
// not by a count of entries, because variants range from 2 KB thumbnails to
// 1 MB zoom images.
//
// Invariant: bytes == sum of Size() of the entries in lru, and bytes <= budget
// whenever mu is not held (every method restores it before unlocking).
type Memory struct {
	mu        sync.Mutex
	lru       *simplelru.LRU[string, *Entry]
	bytes     int64
	budget    int64
	evictions int64
}

// NewMemory makes a memory tier holding at most budget bytes.
func NewMemory(budget int64) *Memory {
	m := &Memory{budget: budget}
	// The entry count is unbounded in practice; the byte budget evicts.
	m.lru, _ = simplelru.NewLRU[string, *Entry](1<<30, func(_ string, e *Entry) {
		m.bytes -= e.Size() // every removal path keeps the byte invariant
	})
	return m
}

// Name is "l1".
func (m *Memory) Name() string { return "l1" }

// Get returns a cached entry.
func (m *Memory) Get(_ context.Context, key string) (*Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.lru.Get(key); ok {
		return e, nil
	}
	return nil, ErrMiss
}

// Set stores an entry, evicting the least recently used ones until the
// budget holds. An entry larger than the whole budget is not stored.
func (m *Memory) Set(_ context.Context, key string, e *Entry) error {
	size := e.Size()
	if size > m.budget {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Remove(key)
	m.lru.Add(key, e)
	m.bytes += size
	for m.bytes > m.budget {
		if _, _, ok := m.lru.RemoveOldest(); !ok {
			break
		}
		m.evictions++
	}
	return nil
}

// Purge drops every entry of a SKU.
func (m *Memory) Purge(_ context.Context, sku string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, k := range m.lru.Keys() {
		if skuOf(k) == sku {
			m.lru.Remove(k)
			n++
		}
	}
	return n, nil
}

// Bytes is the accounted size of the cached entries.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

// Len is the number of cached entries.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// Evictions counts entries dropped to keep the budget.
func (m *Memory) Evictions() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.evictions
}

// Budget is the configured byte budget.
func (m *Memory) Budget() int64 { return m.budget }

// MemoryStats is the memory tier's fill, read at one instant.
type MemoryStats struct {
	Bytes     int64 `json:"bytes"`
	Budget    int64 `json:"budget"`
	Entries   int   `json:"entries"`
	Evictions int64 `json:"evictions"`
}

// Stats reads bytes, entries and evictions under one lock, so they agree
// with each other (three separate calls could straddle a Set).
func (m *Memory) Stats() MemoryStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MemoryStats{Bytes: m.bytes, Budget: m.budget, Entries: m.lru.Len(), Evictions: m.evictions}
}
