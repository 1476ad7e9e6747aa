package policy

// S3FIFOName is the S3-FIFO policy (Yang et al., SOSP '23), by bytes.
const S3FIFOName = "s3fifo"

// queues of an S3-FIFO cache.
const (
	inSmall uint8 = iota
	inMain
)

// Tuned on the trace simulator (bench/sim: Zipf 0.8, product-page and
// churn traces at 1-10 % of the working set). The paper's 10 % small queue
// and 2-bit counters give byte-miss 0.85-0.87x LRU's; a 2 % small queue
// (one-hit wonders leave sooner) and counters up to 7 (popular entries
// survive more passes of main) give 0.80-0.84x, without losing ground on
// the churn trace, where popularity shifts.
const (
	smallPercent = 2
	maxFreq      = 7
)

// S3FIFO is S3-FIFO measured in bytes: new entries enter a small FIFO; one
// used again before it leaves moves to the main FIFO, others leave a ghost
// (key hash and size only) so that a quick return goes straight to main.
// Main is a FIFO with lazy reinsertion (a CLOCK-like counter, one life per
// access up to maxFreq). A read only bumps a counter, never relinks, which
// makes hits cheaper than LRU's. Sizes count everywhere: queue shares and
// the ghost's memory are in bytes, and an entry larger than the small queue
// still gets its chance (see evictOne).
type S3FIFO[V any] struct {
	entries map[string]*node[V]
	small   queue[V]
	main    queue[V]
	ghost   ghostFIFO
	budget  int64
	onEvict func(key string, v V)
}

// NewS3FIFO makes an S3-FIFO cache holding at most budget bytes.
func NewS3FIFO[V any](budget int64) *S3FIFO[V] {
	c := &S3FIFO[V]{entries: make(map[string]*node[V]), budget: budget}
	c.small.init()
	c.main.init()
	c.ghost = newGhostFIFO(budget - budget*smallPercent/100)
	return c
}

// Name is "s3fifo".
func (c *S3FIFO[V]) Name() string { return S3FIFOName }

// OnEvict registers fn to be told of every entry the policy drops on its own.
func (c *S3FIFO[V]) OnEvict(fn func(key string, v V)) { c.onEvict = fn }

// Bytes is the sum of the sizes held.
func (c *S3FIFO[V]) Bytes() int64 { return c.small.bytes + c.main.bytes }

// Len is the number of entries held.
func (c *S3FIFO[V]) Len() int { return len(c.entries) }

// Get returns the value of key and bumps its counter (at most maxFreq).
func (c *S3FIFO[V]) Get(key string) (V, bool) {
	n, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	if n.freq < maxFreq { // a hot entry's node is then only read: no cache line to bounce between cores
		n.freq++
	}
	return n.value, true
}

// Set inserts or replaces key; false when size exceeds the budget or the
// entry had to leave at once.
func (c *S3FIFO[V]) Set(key string, v V, size int64) bool {
	var freq uint8
	if n, ok := c.entries[key]; ok {
		freq = n.freq
		c.unlink(n)
		delete(c.entries, key)
	}
	if size > c.budget || size < 0 {
		return false
	}
	h := hashKey(key)
	n := &node[V]{key: key, value: v, size: size, hash: h, freq: freq}
	if c.ghost.remove(h) {
		n.queue = inMain
		c.main.pushFront(n)
	} else {
		n.queue = inSmall
		c.small.pushFront(n)
	}
	c.entries[key] = n
	for c.Bytes() > c.budget {
		c.evictOne(n)
	}
	_, held := c.entries[key]
	return held
}

// Remove drops key.
func (c *S3FIFO[V]) Remove(key string) (V, bool) {
	n, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(n)
	delete(c.entries, key)
	return n.value, true
}

func (c *S3FIFO[V]) unlink(n *node[V]) {
	if n.queue == inSmall {
		c.small.remove(n)
	} else {
		c.main.remove(n)
	}
}

func (c *S3FIFO[V]) drop(n *node[V]) {
	c.unlink(n)
	delete(c.entries, n.key)
	if c.onEvict != nil {
		c.onEvict(n.key, n.value)
	}
}

// evictOne frees at least one entry's bytes: from small when it holds more
// than its share (promoting a reused entry to main instead), else from main
// (giving a used entry another round). The newest entry is not evicted
// from small while main has something to give: a fresh render larger than
// the small queue must still serve the requests that follow it.
func (c *S3FIFO[V]) evictOne(newest *node[V]) {
	overShare := c.small.bytes > c.budget*smallPercent/100
	if c.main.n == 0 || overShare && c.small.back() != newest {
		n := c.small.back()
		if n.freq > 0 {
			c.small.remove(n)
			n.queue, n.freq = inMain, 0
			c.main.pushFront(n)
			return
		}
		c.ghost.add(n.hash, n.size)
		c.drop(n)
		return
	}
	for {
		n := c.main.back()
		if n.freq == 0 {
			c.drop(n)
			return
		}
		n.freq--
		c.main.moveToFront(n)
	}
}

// ghostFIFO remembers the hashes (and sizes) of entries recently evicted
// from small, up to as many bytes as main holds.
type ghostFIFO struct {
	order  []ghostEntry // ring buffer
	head   int
	count  int
	member map[uint64]int // hash -> live copies in order
	bytes  int64
	budget int64
}

// ghostMinCost is what a ghost of an empty entry costs: about its metadata.
const ghostMinCost = 64

type ghostEntry struct {
	hash uint64
	size int64
}

func newGhostFIFO(budget int64) ghostFIFO {
	return ghostFIFO{order: make([]ghostEntry, 16), member: make(map[uint64]int), budget: budget}
}

func (g *ghostFIFO) add(h uint64, size int64) {
	size = max(size, ghostMinCost) // bounds the ring even for empty entries
	if g.count == len(g.order) {
		grown := make([]ghostEntry, 2*len(g.order))
		for i := range g.count {
			grown[i] = g.order[(g.head+i)%len(g.order)]
		}
		g.order, g.head = grown, 0
	}
	g.order[(g.head+g.count)%len(g.order)] = ghostEntry{h, size}
	g.count++
	g.member[h]++
	g.bytes += size
	for g.bytes > g.budget && g.count > 0 {
		old := g.order[g.head]
		g.head = (g.head + 1) % len(g.order)
		g.count--
		g.bytes -= old.size
		if g.member[old.hash]--; g.member[old.hash] <= 0 {
			delete(g.member, old.hash)
		}
	}
}

// remove reports whether h is a ghost, forgetting it (its ring slot stays
// and expires with age; a stale slot only shortens the ghost's memory).
func (g *ghostFIFO) remove(h uint64) bool {
	if _, ok := g.member[h]; !ok {
		return false
	}
	delete(g.member, h)
	return true
}

// Range visits every entry held without counting an access.
func (c *S3FIFO[V]) Range(fn func(key string, v V, size int64) bool) {
	for _, n := range c.entries {
		if !fn(n.key, n.value, n.size) {
			return
		}
	}
}
