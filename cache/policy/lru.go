package policy

import "github.com/hashicorp/golang-lru/v2/simplelru"

// LRUName is the baseline policy: plain least-recently-used by bytes.
const LRUName = "lru"

type lruEntry[V any] struct {
	value V
	size  int64
}

// LRU is the byte-bounded least-recently-used baseline (today's L1),
// built on golang-lru's simplelru with an unbounded entry count so only the
// byte budget evicts.
type LRU[V any] struct {
	list    *simplelru.LRU[string, lruEntry[V]]
	bytes   int64
	budget  int64
	onEvict func(key string, v V)
}

// NewLRU makes an LRU holding at most budget bytes.
func NewLRU[V any](budget int64) *LRU[V] {
	c := &LRU[V]{budget: budget}
	c.list, _ = simplelru.NewLRU[string, lruEntry[V]](1<<30, func(_ string, e lruEntry[V]) {
		c.bytes -= e.size // every removal path keeps the byte invariant
	})
	return c
}

// Name is "lru".
func (c *LRU[V]) Name() string { return LRUName }

// OnEvict registers fn to be told of every entry evicted for space.
func (c *LRU[V]) OnEvict(fn func(key string, v V)) { c.onEvict = fn }

// Get returns the value and marks it most recently used.
func (c *LRU[V]) Get(key string) (V, bool) {
	e, ok := c.list.Get(key)
	return e.value, ok
}

// Set inserts or replaces key, evicting from the cold end until the budget
// holds. A value larger than the whole budget is declined (and any older
// value under key is dropped, so a reader never sees a stale one).
func (c *LRU[V]) Set(key string, v V, size int64) bool {
	c.list.Remove(key)
	if size > c.budget || size < 0 {
		return false
	}
	c.list.Add(key, lruEntry[V]{value: v, size: size})
	c.bytes += size
	for c.bytes > c.budget {
		k, e, ok := c.list.RemoveOldest()
		if !ok {
			break
		}
		if c.onEvict != nil {
			c.onEvict(k, e.value)
		}
	}
	return true
}

// Remove drops key.
func (c *LRU[V]) Remove(key string) (V, bool) {
	e, ok := c.list.Peek(key)
	if ok {
		c.list.Remove(key)
	}
	return e.value, ok
}

// Bytes is the sum of the sizes held.
func (c *LRU[V]) Bytes() int64 { return c.bytes }

// Len is the number of entries held.
func (c *LRU[V]) Len() int { return c.list.Len() }

// Range visits every entry held without counting an access.
func (c *LRU[V]) Range(fn func(key string, v V, size int64) bool) {
	for _, k := range c.list.Keys() {
		if e, ok := c.list.Peek(k); ok && !fn(k, e.value, e.size) {
			return
		}
	}
}
