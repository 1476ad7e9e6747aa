// Package policy holds the byte-bounded eviction policies the memory tier
// (cache.Memory) can run, behind one small interface so the simulator in
// bench/ and the shadow estimators drive exactly the code production runs:
//
//   - "s3fifo" (Default): S3-FIFO by bytes. Best measured byte-miss ratio
//     (0.80-0.84x LRU's on bench/sim's Zipf 0.8 and product-page traces at
//     1-10 % of the working set) and the cheapest hit (no relinking).
//   - "wtinylfu": Window-TinyLFU with a count-min sketch, a doorkeeper and
//     size-aware admission; close behind (0.82-0.86x LRU's), dearer hits.
//   - "lru": golang-lru's simplelru by bytes, the old L1, as the baseline.
//
// All are O(1) amortised per operation and keep Bytes() <= budget after
// every call.
package policy

import (
	"fmt"
	"sort"
)

// Cache is one byte-bounded cache policy. Not safe for concurrent use: cache.Memory shards and locks it.
type Cache[V any] interface {
	Name() string
	Get(key string) (V, bool)             // an access: counts toward frequency/recency
	Set(key string, v V, size int64) bool // insert or replace; false when the policy declined to admit it (or size > budget)
	Remove(key string) (V, bool)
	Bytes() int64 // sum of sizes held; never > budget after any call returns
	Len() int
}

// builderNames lists the names ByName's switch knows. Generic constructors
// cannot be stored in a map, hence the switch.
var builderNames = map[string]struct{}{
	LRUName:      {},
	WTinyLFUName: {},
	S3FIFOName:   {},
}

// Default is the policy the memory tier runs unless configured otherwise.
const Default = S3FIFOName

// EvictNotifier is implemented by every policy here: the memory tier keeps
// its SKU index and eviction count in step through it.
type EvictNotifier[V any] interface {
	// OnEvict registers fn to be told of every entry the policy drops on
	// its own (evicted for space or refused admission), not of Remove or
	// of a replacement by Set.
	OnEvict(fn func(key string, v V))
}

// Ranger is implemented by every policy here, for invariant checks and
// tests: it visits each entry held (in no particular order) without
// counting an access, until fn returns false.
type Ranger[V any] interface {
	Range(fn func(key string, v V, size int64) bool)
}

// ByName builds a policy: "lru" (golang-lru simplelru, today's baseline) and your new policy's name(s).
func ByName[V any](name string, budget int64) (Cache[V], error) {
	if budget < 0 {
		return nil, fmt.Errorf("policy %q: negative budget %d", name, budget)
	}
	switch name {
	case LRUName:
		return NewLRU[V](budget), nil
	case WTinyLFUName:
		return NewWTinyLFU[V](budget), nil
	case S3FIFOName:
		return NewS3FIFO[V](budget), nil
	}
	return nil, fmt.Errorf("unknown cache policy %q (known: %v)", name, Names())
}

// Names lists the policies ByName knows, sorted.
func Names() []string {
	names := make([]string, 0, len(builderNames))
	for n := range builderNames {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
