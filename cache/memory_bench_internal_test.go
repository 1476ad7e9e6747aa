package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// singleMutexLRU is the memory tier as it was before cache/policy: one
// simplelru under one mutex. Kept here only as the benchmark's baseline.
type singleMutexLRU struct {
	mu  sync.Mutex
	lru *simplelru.LRU[string, *Entry]
}

func (m *singleMutexLRU) Get(_ context.Context, key string) (*Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.lru.Get(key); ok {
		return e, nil
	}
	return nil, ErrMiss
}

func (m *singleMutexLRU) Set(_ context.Context, key string, e *Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Add(key, e)
	return nil
}

type getSetter interface {
	Get(ctx context.Context, key string) (*Entry, error)
	Set(ctx context.Context, key string, e *Entry) error
}

// BenchmarkMemoryGetParallel times L1 hits from every core at once, over
// 10,000 keys read with Zipf(0.8) skew (all held: a hit-path benchmark),
// for the old single-mutex LRU and the sharded tier under each policy.
// Run with -cpu 1,2,... to see how reads scale.
func BenchmarkMemoryGetParallel(b *testing.B) {
	const keys = 10_000
	z := newZipfKeys(keys, 9)
	entry := &Entry{Data: make([]byte, 20<<10), ContentType: "image/webp"}
	baseline, _ := simplelru.NewLRU[string, *Entry](1<<30, nil)
	cases := []struct {
		name string
		make func() (getSetter, error)
	}{
		{"old-single-mutex-lru", func() (getSetter, error) { return &singleMutexLRU{lru: baseline}, nil }},
		{"lru", func() (getSetter, error) { return NewMemoryWith(512<<20, "lru") }},
		{"s3fifo", func() (getSetter, error) { return NewMemoryWith(512<<20, "s3fifo") }},
		{"wtinylfu", func() (getSetter, error) { return NewMemoryWith(512<<20, "wtinylfu") }},
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m, err := c.make()
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range z.keys {
				_ = m.Set(ctx, k, entry)
			}
			order := make([]int, 1<<14)
			for i := range order {
				order[i] = z.next()
			}
			var seed sync.Mutex
			next := uint64(0)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				seed.Lock()
				next++
				i := rand.New(rand.NewPCG(next, 3)).IntN(len(order)) //nolint:gosec // benchmark offsets
				seed.Unlock()
				for pb.Next() {
					i = (i + 1) & (len(order) - 1)
					if _, err := m.Get(ctx, z.keys[order[i]]); err != nil {
						panic(fmt.Sprintf("a held key missed: %v", err)) // b.Fatal is not for RunParallel goroutines
					}
				}
			})
		})
	}
}
