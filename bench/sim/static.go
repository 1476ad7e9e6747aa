package sim

import (
	"cmp"
	"slices"
)

// staticPopularity replays reqs through a cache that holds one fixed set:
// the keys with the most requests in the whole trace, greedily packed into
// the budget (a knapsack by request count, the byte hits a key earns per
// byte it takes), each missed once when first requested.
//
// Under the independent reference model (the zipf traces) knowing each
// key's popularity and keeping the most popular is the best an online
// policy can do in the long run, so this is the reference for what a
// perfect frequency-based policy could reach. It is neither an offline
// optimum nor a bound: it needs the popularities from the future, and on
// traces whose popularity drifts (churn, scans) a policy may beat it.
func staticPopularity(reqs []Request, budget int64, warmup int) counts {
	in := intern(reqs)
	n := make([]int, in.nkeys)
	size := make([]int64, in.nkeys)
	for i, id := range in.ids {
		n[id]++
		size[id] = in.sizes[i]
	}
	order := make([]int32, in.nkeys)
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(n[b], n[a]) })
	held := make([]bool, in.nkeys)
	var used int64
	for _, k := range order {
		if n[k] < 2 {
			break // requested once: holding it earns nothing
		}
		if used+size[k] <= budget {
			held[k] = true
			used += size[k]
		}
	}
	loaded := make([]bool, in.nkeys)
	var c counts
	for i, id := range in.ids {
		hit := held[id] && loaded[id]
		loaded[id] = true
		if i >= warmup {
			c.add(in.sizes[i], hit)
		}
	}
	return c
}
