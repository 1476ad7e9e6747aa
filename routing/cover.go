package routing

import "slices"

// compareNodes ranks eligible nodes as the decision's step 3 says: prefer
// rank, then central last (tier), score, distance and id.
func compareNodes(st []nodeState, a, b int) int {
	x, y := &st[a], &st[b]
	switch {
	case x.rank != y.rank:
		return x.rank - y.rank
	case x.tier != y.tier:
		return x.tier - y.tier
	case x.score != y.score:
		if x.score < y.score {
			return -1
		}
		return 1
	case x.dist != y.dist:
		if x.dist < y.dist {
			return -1
		}
		return 1
	}
	return a - b // nodes are sorted by id
}

// splitBudget bounds the combinations the split search tries; beyond it a
// greedy cover is used (more lines than any real basket).
const splitBudget = 200_000

// cover finds the fewest ranked nodes, at most maxShip, whose lines cover
// the order; among covers of that size the one with the best-ranked nodes.
// It appends to out and returns nil-length when there is none.
func cover(ranked []int, st []nodeState, all uint64, maxShip int, out []int) []int {
	// One candidate per distinct line set: the best-ranked node with it.
	var cands [64]int
	var masks [64]uint64
	nc := 0
	for _, i := range ranked {
		m := st[i].mask
		if slices.Contains(masks[:nc], m) {
			continue
		}
		if nc == len(cands) {
			break
		}
		cands[nc], masks[nc] = i, m
		nc++
	}
	budget := splitBudget
	var pick [64]int
	for k := 2; k <= maxShip && k <= nc; k++ {
		if n := search(masks[:nc], 0, k, 0, all, pick[:0], &budget); n != nil {
			for _, p := range n {
				out = append(out, cands[p])
			}
			return out
		}
		if budget <= 0 {
			return greedyCover(cands[:nc], masks[:nc], all, maxShip, out)
		}
	}
	return out[:0]
}

func search(masks []uint64, start, k int, acc, all uint64, pick []int, budget *int) []int {
	if k == 0 {
		if acc == all {
			return pick
		}
		return nil
	}
	for i := start; i <= len(masks)-k; i++ {
		if *budget--; *budget < 0 {
			return nil
		}
		if masks[i]|acc == acc {
			continue // adds no line: a smaller cover would exist, already ruled out
		}
		if got := search(masks, i+1, k-1, acc|masks[i], all, append(pick, i), budget); got != nil {
			return got
		}
	}
	return nil
}

func greedyCover(cands []int, masks []uint64, all uint64, maxShip int, out []int) []int {
	var acc uint64
	for len(out) < maxShip && acc != all {
		best, gain := -1, 0
		for i, m := range masks {
			if g := popcount(m &^ acc); g > gain {
				best, gain = i, g
			}
		}
		if best < 0 {
			break
		}
		out = append(out, cands[best])
		acc |= masks[best]
	}
	if acc != all {
		return out[:0]
	}
	return out
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
