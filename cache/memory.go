package cache

import (
	"context"
	"hash/maphash"
	"math/bits"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

var _ Tier = (*Memory)(nil)

// Memory is the compute-adjacent L1, bounded by the bytes it holds, not by
// a count of entries, because variants range from 2 KB thumbnails to 1 MB
// zoom images. Which entries stay is a cache/policy policy (S3-FIFO by
// bytes by default, "lru" as the old baseline).
//
// It is split into shards by key hash, each with its own lock, policy and
// share of the budget, so reads on different cores rarely wait for each
// other. Each shard indexes its keys by SKU, so Purge touches only the
// purged SKU's keys. A sampled shadow (see shadow.go) estimates the hit
// ratio the same policy would reach at half and twice the budget.
//
// Invariant: every shard holds at most budget/len(shards) bytes, so the
// tier holds at most budget.
type Memory struct {
	shards []*memShard
	mask   uint64
	budget int64
	name   string
	shadow *shadow
}

// minShardBytes keeps each shard's share large enough for hundreds of the
// largest variants (a shard cannot hold an entry over its share); small
// budgets therefore run one shard, which is also exactly the bare policy.
const (
	minShardBytes = 32 << 20
	maxShards     = 16
)

var shardSeed = maphash.MakeSeed()

// NewMemory makes a memory tier holding at most budget bytes under the
// default policy.
func NewMemory(budget int64) *Memory {
	m, err := NewMemoryWith(budget, policy.Default)
	if err != nil {
		panic(err) // the default policy always exists
	}
	return m
}

// NewMemoryWith makes a memory tier holding at most budget bytes under the
// named policy (one of policy.Names(); "" is policy.Default).
func NewMemoryWith(budget int64, policyName string) (*Memory, error) {
	if policyName == "" {
		policyName = policy.Default
	}
	return newMemory(budget, policyName, shardCount(budget))
}

// newMemory makes a memory tier of n shards (a power of two).
func newMemory(budget int64, policyName string, n int) (*Memory, error) {
	m := &Memory{shards: make([]*memShard, n), mask: uint64(n - 1), budget: budget, name: policyName}
	for i := range m.shards {
		s, err := newMemShard(policyName, budget/int64(n))
		if err != nil {
			return nil, err
		}
		m.shards[i] = s
	}
	var err error
	if m.shadow, err = newShadow(policyName, budget, m.requests); err != nil {
		return nil, err
	}
	return m, nil
}

// shardCount is the largest power of two up to maxShards whose share of the
// budget is at least minShardBytes (at least 1).
func shardCount(budget int64) int {
	n := max(budget/minShardBytes, 1)
	return min(1<<(bits.Len64(uint64(n))-1), maxShards)
}

func (m *Memory) shardOf(h uint64) *memShard { return m.shards[h&m.mask] }

// requests counts every Get so far, for the shadow's sample correction.
func (m *Memory) requests() uint64 {
	var n uint64
	for _, s := range m.shards {
		n += s.gets()
	}
	return n
}

// Name is "l1".
func (m *Memory) Name() string { return "l1" }

// Policy is the name of the eviction policy in use.
func (m *Memory) Policy() string { return m.name }

// Get returns a cached entry.
func (m *Memory) Get(_ context.Context, key string) (*Entry, error) {
	h := maphash.String(shardSeed, key)
	e, ok := m.shardOf(h).get(key)
	if m.shadow.sampled(h) {
		size := int64(-1) // unknown on a miss: the Set that follows tells
		if ok {
			size = e.Size()
		}
		m.shadow.get(h, size)
	}
	if !ok {
		return nil, ErrMiss
	}
	return e, nil
}

// Set stores an entry if the policy admits it, evicting what the policy
// chooses until the budget holds. An entry larger than a shard's share of
// the budget is not stored (and an older entry under key is dropped).
func (m *Memory) Set(_ context.Context, key string, e *Entry) error {
	h := maphash.String(shardSeed, key)
	m.shardOf(h).set(key, e)
	if m.shadow.sampled(h) {
		m.shadow.set(h, e.Size())
	}
	return nil
}

// Purge drops every entry of a SKU, visiting only its keys in each shard.
func (m *Memory) Purge(_ context.Context, sku string) (int, error) {
	n := 0
	for _, s := range m.shards {
		n += s.purge(sku)
	}
	return n, nil
}

// Bytes is the accounted size of the cached entries.
func (m *Memory) Bytes() int64 { return m.fill().Bytes }

// Len is the number of cached entries.
func (m *Memory) Len() int { return m.fill().Entries }

// Evictions counts entries the policy dropped: evicted to keep the budget
// or refused admission.
func (m *Memory) Evictions() int64 { return m.fill().Evictions }

// Budget is the configured byte budget.
func (m *Memory) Budget() int64 { return m.budget }

// MemoryStats is the memory tier's fill, and the shadow's estimates of the
// hit ratios at other budgets, for sizing L1 from live traffic.
type MemoryStats struct {
	Bytes     int64            `json:"bytes"`
	Budget    int64            `json:"budget"`
	Entries   int              `json:"entries"`
	Evictions int64            `json:"evictions"`
	Policy    string           `json:"policy"`
	Shards    int              `json:"shards"`
	Shadow    []ShadowEstimate `json:"shadow"`
}

// Stats is the fill and the shadow's estimates.
func (m *Memory) Stats() MemoryStats {
	st := m.fill()
	st.Shadow = m.shadow.estimates()
	return st
}

// fill sums the shards' fill, each read under its own lock (so each shard's
// bytes, entries and evictions agree with each other; the total can
// straddle a Set on another shard).
func (m *Memory) fill() MemoryStats {
	st := MemoryStats{Budget: m.budget, Policy: m.name, Shards: len(m.shards)}
	for _, s := range m.shards {
		b, n, ev := s.fill()
		st.Bytes += b
		st.Entries += n
		st.Evictions += ev
	}
	return st
}
