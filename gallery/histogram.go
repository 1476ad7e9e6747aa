package gallery

// histogram finds quantiles of values in a known range to a fixed
// resolution without sorting a quarter-million pixels twice per photo.
type histogram struct {
	lo, step float64
	bins     []int
	n        int
}

func newHistogram(lo, hi, step float64) *histogram {
	return &histogram{lo: lo, step: step, bins: make([]int, int((hi-lo)/step)+1)}
}

// add counts v, clamped into the range.
func (h *histogram) add(v float64) {
	i := min(max(int((v-h.lo)/h.step+0.5), 0), len(h.bins)-1)
	h.bins[i]++
	h.n++
}

// quantile is the value below which a share q of the counted values lie;
// lo when nothing was counted.
func (h *histogram) quantile(q float64) float64 {
	want := int(q * float64(h.n))
	seen := 0
	for i, c := range h.bins {
		seen += c
		if seen > want {
			return h.lo + float64(i)*h.step
		}
	}
	return h.lo + float64(len(h.bins)-1)*h.step
}
