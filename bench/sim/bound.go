package sim

import (
	"cmp"
	"container/heap"
	"slices"
)

// beladySize replays reqs under Belady's rule made size-aware: on a miss
// the object is admitted unless it is never requested again (or is larger
// than the cache), then objects are evicted furthest-next-use first until
// the budget holds; the newcomer itself may be the one evicted, which is a
// bypass. O(n log n) with a lazily pruned heap.
//
// For equal sizes and object misses this is Belady's MIN, the optimum. With
// sizes it is a heuristic: the optimum is NP-hard to compute, and an
// evicted large object may be worth less than several small ones it keeps
// out. Being an offline schedule that never exceeds the budget, its miss
// ratio is reachable, hence never below the optimum's: an upper bound on
// OPT, whereas pfooL is a lower bound.
func beladySize(reqs []Request, budget int64, warmup int) counts {
	in := intern(reqs)
	next := in.nextUses()
	cached := make([]bool, in.nkeys)
	size := make([]int64, in.nkeys) // size held, for cached keys
	nextOf := make([]int, in.nkeys) // next use of a cached key
	var h farthest
	var used int64
	var c counts
	for i, id := range in.ids {
		hit := cached[id]
		if i >= warmup {
			c.add(in.sizes[i], hit)
		}
		switch {
		case hit && next[i] == never:
			cached[id] = false // never used again: free its space now
			used -= size[id]
		case hit:
			nextOf[id] = next[i]
			heap.Push(&h, heapItem{next: next[i], id: id})
		case next[i] != never && in.sizes[i] <= budget:
			cached[id], size[id], nextOf[id] = true, in.sizes[i], next[i]
			used += in.sizes[i]
			heap.Push(&h, heapItem{next: next[i], id: id})
		}
		for used > budget {
			it := heap.Pop(&h).(heapItem)
			if cached[it.id] && nextOf[it.id] == it.next { // else stale
				cached[it.id] = false
				used -= size[it.id]
			}
		}
	}
	return c
}

type heapItem struct {
	next int
	id   int32
}

// farthest is a max-heap on next use.
type farthest []heapItem

func (h farthest) Len() int           { return len(h) }
func (h farthest) Less(i, j int) bool { return h[i].next > h[j].next }
func (h farthest) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *farthest) Push(x any)        { *h = append(*h, x.(heapItem)) }
func (h *farthest) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// pfooL is PFOO-L (Berger, Beckmann, Harchol-Balter, SIGMETRICS 2018): a
// lower bound on the byte- and object-miss ratios of any cache of budget
// bytes, computed from the trace.
//
// Why it is a bound: a hit on request j of an object last requested at i
// needs the object held through the j−i steps between them, costing
// size·(j−i) of cache space-time, and a cache of budget bytes has at most
// budget·n of it over n requests. Dropping the per-step limit for that one
// total is a relaxation, solved exactly by a fractional knapsack: for
// byte hits every interval's gain per unit of space-time is 1/(j−i), so
// take the shortest intervals first; for object hits take the smallest
// size·(j−i) first. No schedule that respects the budget at every step can
// beat it. Intervals of objects larger than the budget are left out (they
// never fit), and only intervals ending in a counted request gain.
func pfooL(reqs []Request, budget int64, warmup int) counts {
	in := intern(reqs)
	next := in.nextUses()
	var c counts
	type interval struct{ size, length int64 }
	var ivs []interval
	for i := range in.ids {
		if i >= warmup {
			c.add(in.sizes[i], false)
		}
		if j := next[i]; j != never && j >= warmup && in.sizes[j] <= budget && in.sizes[i] <= budget {
			ivs = append(ivs, interval{size: in.sizes[j], length: int64(j - i)})
		}
	}
	capacity := float64(budget) * float64(len(reqs))
	// Byte hits: shortest intervals first.
	slices.SortFunc(ivs, func(a, b interval) int { return cmp.Compare(a.length, b.length) })
	c.missBytes -= knapsack(len(ivs), capacity, func(k int) (float64, float64) {
		return float64(ivs[k].size), float64(ivs[k].size) * float64(ivs[k].length)
	})
	// Object hits: least space-time first.
	slices.SortFunc(ivs, func(a, b interval) int { return cmp.Compare(a.size*a.length, b.size*b.length) })
	c.missObjects -= knapsack(len(ivs), capacity, func(k int) (float64, float64) {
		return 1, float64(ivs[k].size) * float64(ivs[k].length)
	})
	return c
}

// knapsack takes items in order (gain, cost) until capacity runs out, the
// last one fractionally, and returns the gain.
func knapsack(n int, capacity float64, item func(int) (gain, cost float64)) float64 {
	var got float64
	for k := range n {
		g, cost := item(k)
		if cost >= capacity {
			return got + g*capacity/cost
		}
		capacity -= cost
		got += g
	}
	return got
}
