package sim

import (
	"math"
	"math/rand/v2"
	"sort"
)

// zipf draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^alpha by inverting the CDF;
// unlike rand.Zipf it takes any alpha ≥ 0 (the issue asks for 0.6–1.2).
type zipf struct {
	cdf []float64
	rng *rand.Rand
}

func newZipf(n int, alpha float64, rng *rand.Rand) *zipf {
	cdf := make([]float64, max(n, 1))
	var sum float64
	for k := range cdf {
		sum += math.Pow(float64(k+1), -alpha)
		cdf[k] = sum
	}
	for k := range cdf {
		cdf[k] /= sum
	}
	cdf[len(cdf)-1] = 1
	return &zipf{cdf: cdf, rng: rng}
}

func (z *zipf) next() int { return sort.SearchFloat64s(z.cdf, z.rng.Float64()) }

// weighted draws an index with the given (not necessarily normalised)
// weights.
func weighted(rng *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := rng.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}
