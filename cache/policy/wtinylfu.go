package policy

import "hash/maphash"

// WTinyLFUName is Window-TinyLFU, size-aware: the measured runner-up to
// S3-FIFO (see the package comment).
const WTinyLFUName = "wtinylfu"

// queues of a W-TinyLFU cache.
const (
	inWindow uint8 = iota
	inProbation
	inProtected
)

// Fractions of the budget, as in Caffeine: a small LRU window lets new
// entries prove themselves; the main space is a segmented LRU whose
// protected part keeps entries that were used again after admission.
const (
	windowPercent    = 1
	protectedPercent = 80 // of the main space
)

// sketchPerEntry sizes the sketch in counters per entry held: entries
// vary 500x in size, so their count is only known as the cache fills.
const sketchPerEntry = 2

// minSketchKeys is the smallest sketch (12 KB of counters and doorkeeper).
// Sized for 64 entries, 128 counters a row, a one-off key collided with
// popular ones in all four rows often enough to be admitted over 80 of
// them: 19 of 400 runs of TestFrequencyAdmission, each with its own hash
// seed, lost 20 popular entries to one 20 KB one-off.
const minSketchKeys = 4096

var hashSeed = maphash.MakeSeed()

func hashKey(key string) uint64 { return maphash.String(hashSeed, key) }

// WTinyLFU is Window-TinyLFU (Einziger, Friedman, Manes) extended to sizes:
// an entry leaving the window is admitted into the main space only if its
// sketch frequency beats that of each main-space victim it would displace,
// so a 1 MB one-hit wonder cannot push out dozens of popular thumbnails,
// and a crawler's scan dies in the 1 % window. Every operation is O(1)
// amortised: a candidate examines only the victims that would free its
// size (a bounded number, sizes varying 500x), and every admitted victim
// examined is evicted.
type WTinyLFU[V any] struct {
	entries   map[string]*node[V]
	window    queue[V]
	probation queue[V]
	protected queue[V]
	sketch    *sketch
	budget    int64
	rng       uint64 // xorshift state for the random admission below
	onEvict   func(key string, v V)
	moved     []*node[V] // candidates leaving the window, reused across calls
	victims   []*node[V] // reused by victimsFor
}

// NewWTinyLFU makes a W-TinyLFU cache holding at most budget bytes.
func NewWTinyLFU[V any](budget int64) *WTinyLFU[V] {
	c := &WTinyLFU[V]{
		entries: make(map[string]*node[V]),
		sketch:  newSketch(minSketchKeys),
		budget:  budget,
		rng:     0x9e3779b97f4a7c15,
	}
	c.window.init()
	c.probation.init()
	c.protected.init()
	return c
}

// Name is "wtinylfu".
func (c *WTinyLFU[V]) Name() string { return WTinyLFUName }

// OnEvict registers fn to be told of every entry the policy drops on its
// own (evicted for space or refused admission); not of Remove or a replace.
func (c *WTinyLFU[V]) OnEvict(fn func(key string, v V)) { c.onEvict = fn }

// Bytes is the sum of the sizes held.
func (c *WTinyLFU[V]) Bytes() int64 {
	return c.window.bytes + c.probation.bytes + c.protected.bytes
}

// Len is the number of entries held.
func (c *WTinyLFU[V]) Len() int { return len(c.entries) }

// Get returns the value of key and records the access.
func (c *WTinyLFU[V]) Get(key string) (V, bool) {
	n, ok := c.entries[key]
	if !ok {
		c.sketch.increment(hashKey(key))
		var zero V
		return zero, false
	}
	c.sketch.increment(n.hash)
	c.touch(n)
	return n.value, true
}

// touch moves an accessed entry up: within the window or protected to the
// front, from probation into protected (demoting protected's oldest when it
// outgrows its share).
func (c *WTinyLFU[V]) touch(n *node[V]) {
	switch n.queue {
	case inWindow:
		c.window.moveToFront(n)
	case inProtected:
		c.protected.moveToFront(n)
	case inProbation:
		c.probation.remove(n)
		n.queue = inProtected
		c.protected.pushFront(n)
		c.demoteProtected()
	}
}

func (c *WTinyLFU[V]) protectedBudget() int64 {
	return (c.budget - c.windowBudget()) * protectedPercent / 100
}

func (c *WTinyLFU[V]) windowBudget() int64 { return c.budget * windowPercent / 100 }

func (c *WTinyLFU[V]) demoteProtected() {
	for c.protected.bytes > c.protectedBudget() && c.protected.n > 1 {
		old := c.protected.back()
		c.protected.remove(old)
		old.queue = inProbation
		c.probation.pushFront(old)
	}
}

// Set inserts or replaces key. It reports whether key is held afterwards:
// false when size exceeds the budget or the entry lost admission at once.
func (c *WTinyLFU[V]) Set(key string, v V, size int64) bool {
	if n, ok := c.entries[key]; ok {
		c.unlink(n)
		delete(c.entries, key)
	}
	if size > c.budget || size < 0 {
		return false
	}
	n := &node[V]{key: key, value: v, size: size, hash: hashKey(key), queue: inWindow}
	c.entries[key] = n
	c.window.pushFront(n)
	c.sketch.increment(n.hash)
	if len(c.entries) > c.sketch.capacity() {
		c.growSketch()
	}
	c.evict()
	_, held := c.entries[key]
	return held
}

// growSketch makes room for more keys (rare: doubling, amortised O(1)) and
// carries the held entries' frequencies over: a fresh, empty sketch would
// let the next one-off entries displace the hot set they protected.
func (c *WTinyLFU[V]) growSketch() {
	old := c.sketch
	c.sketch = newSketch(max(len(c.entries)*sketchPerEntry, minSketchKeys))
	for _, n := range c.entries {
		for range old.estimate(n.hash) {
			c.sketch.increment(n.hash)
		}
	}
}

// Remove drops key.
func (c *WTinyLFU[V]) Remove(key string) (V, bool) {
	n, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(n)
	delete(c.entries, key)
	return n.value, true
}

func (c *WTinyLFU[V]) queueOf(n *node[V]) *queue[V] {
	switch n.queue {
	case inWindow:
		return &c.window
	case inProbation:
		return &c.probation
	}
	return &c.protected
}

func (c *WTinyLFU[V]) unlink(n *node[V]) { c.queueOf(n).remove(n) }

func (c *WTinyLFU[V]) drop(n *node[V]) {
	c.unlink(n)
	delete(c.entries, n.key)
	if c.onEvict != nil {
		c.onEvict(n.key, n.value)
	}
}

// evict moves the window's overflow into probation as candidates, then
// settles each candidate against the main-space victims it would displace
// until the whole cache fits its budget.
func (c *WTinyLFU[V]) evict() {
	c.moved = c.moved[:0]
	for c.window.bytes > c.windowBudget() && c.window.n > 1 { // the newest always gets its chance
		n := c.window.back()
		c.window.remove(n)
		n.queue = inProbation
		c.probation.pushFront(n)
		c.moved = append(c.moved, n)
	}
	next := 0 // the oldest unsettled candidate
	for c.Bytes() > c.budget {
		if next >= len(c.moved) {
			c.drop(c.victim())
			continue
		}
		candidate := c.moved[next]
		victims, enough := c.victimsFor(candidate, min(c.Bytes()-c.budget, candidate.size))
		switch {
		case !enough: // only the candidates themselves are left to evict
			c.drop(c.victim())
			if _, held := c.entries[candidate.key]; !held {
				next++
			}
		case c.admit(candidate, victims):
			for _, v := range victims {
				c.drop(v)
			}
			next++
		default:
			c.drop(candidate)
			next++
		}
	}
	clear(c.moved) // drop references for the collector
	clear(c.victims)
}

// victimsFor lists the coldest main-space entries that free need bytes,
// oldest first: probation's back up to the candidate, then protected's.
// enough is false when those entries cannot free need bytes.
func (c *WTinyLFU[V]) victimsFor(candidate *node[V], need int64) (victims []*node[V], enough bool) {
	c.victims = c.victims[:0]
	var freed int64
	for v := c.probation.back(); v != nil && v != candidate && freed < need; v = v.prev {
		c.victims = append(c.victims, v)
		freed += v.size
	}
	for v := c.protected.back(); v != nil && freed < need; v = v.prev {
		if v == &c.protected.root {
			break
		}
		c.victims = append(c.victims, v)
		freed += v.size
	}
	return c.victims, freed >= need
}

// victim is the main space's coldest entry: probation's oldest, else
// protected's, else (main empty) the window's.
func (c *WTinyLFU[V]) victim() *node[V] {
	if v := c.probation.back(); v != nil {
		return v
	}
	if v := c.protected.back(); v != nil {
		return v
	}
	return c.window.back()
}

// admit says whether candidate should displace victims: TinyLFU's rule
// weighed by bytes, because the goal is bytes served from memory. The
// candidate wins when its frequency times its size strictly beats the sum
// of the victims' (so a 1 MB entry must be more popular than the twenty
// 50 KB entries it replaces on average, not than each of them). A warm
// candidate (frequency > 5) that loses is still let in 1 time in 128, so an
// attacker who pumps a victim's colliding counters cannot pin it forever
// (Caffeine's defence).
func (c *WTinyLFU[V]) admit(candidate *node[V], victims []*node[V]) bool {
	cf := c.sketch.estimate(candidate.hash)
	hottest := 0
	for _, v := range victims {
		hottest = max(hottest, c.sketch.estimate(v.hash))
	}
	if cf > hottest {
		return true
	}
	if cf <= 5 {
		return false
	}
	c.rng ^= c.rng << 13
	c.rng ^= c.rng >> 7
	c.rng ^= c.rng << 17
	return c.rng&127 == 0
}

// Range visits every entry held without counting an access.
func (c *WTinyLFU[V]) Range(fn func(key string, v V, size int64) bool) {
	for _, n := range c.entries {
		if !fn(n.key, n.value, n.size) {
			return
		}
	}
}
