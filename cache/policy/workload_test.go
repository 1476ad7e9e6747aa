package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// workload is a synthetic L1 trace: Zipf-popular keys whose sizes follow
// the variant mix of a product catalogue, independent of popularity.
type workload struct {
	keys  []string
	sizes []int64
	cdf   []float64 // cumulative Zipf probabilities by rank
	rng   *rand.Rand
	total int64 // bytes of all objects (the working set)
}

// newWorkload makes n objects under a Zipf(s) popularity. Sizes: 40 %
// thumbnails (2-8 KB), 35 % listing images (20-60 KB), 20 % product images
// (80-250 KB), 5 % zoom images (500 KB-1 MB).
func newWorkload(n int, s float64, seed uint64) *workload {
	rng := rand.New(rand.NewPCG(seed, 7)) //nolint:gosec // synthetic trace, not a secret
	w := &workload{keys: make([]string, n), sizes: make([]int64, n), cdf: make([]float64, n), rng: rng}
	var sum float64
	for i := range n {
		w.keys[i] = fmt.Sprintf("sku%d/%x", i/8, i)
		w.sizes[i] = variantSize(rng)
		w.total += w.sizes[i]
		sum += 1 / math.Pow(float64(i+1), s)
		w.cdf[i] = sum
	}
	for i := range w.cdf {
		w.cdf[i] /= sum
	}
	return w
}

func variantSize(rng *rand.Rand) int64 {
	between := func(lo, hi int64) int64 { return lo + rng.Int64N(hi-lo) }
	switch p := rng.IntN(100); {
	case p < 40:
		return between(2<<10, 8<<10)
	case p < 75:
		return between(20<<10, 60<<10)
	case p < 95:
		return between(80<<10, 250<<10)
	default:
		return between(500<<10, 1<<20)
	}
}

// next draws one object index by popularity.
func (w *workload) next() int {
	return sort.SearchFloat64s(w.cdf, w.rng.Float64())
}

// missRatios replays requests read-through (a miss is Set) and returns the
// object- and byte-miss ratios of the last half (the first half warms up).
func (w *workload) missRatios(c Cache[int], requests int) (objMiss, byteMiss float64) {
	var misses, missBytes, counted, countedBytes int64
	for r := range requests {
		i := w.next()
		_, hit := c.Get(w.keys[i])
		if !hit {
			c.Set(w.keys[i], i, w.sizes[i])
		}
		if r < requests/2 {
			continue
		}
		counted++
		countedBytes += w.sizes[i]
		if !hit {
			misses++
			missBytes += w.sizes[i]
		}
	}
	return float64(misses) / float64(counted), float64(missBytes) / float64(countedBytes)
}

// staticOptimal is the byte-miss ratio of holding the most popular objects
// that fit: under independent requests the best any policy can do when
// popularity does not depend on size.
func (w *workload) staticOptimal(budget int64) float64 {
	var held int64
	var hitP float64
	var totalP, prev float64
	for i, c := range w.cdf {
		p := c - prev
		prev = c
		totalP += p * float64(w.sizes[i])
		if held+w.sizes[i] <= budget {
			held += w.sizes[i]
			hitP += p * float64(w.sizes[i])
		}
	}
	return 1 - hitP/totalP
}
