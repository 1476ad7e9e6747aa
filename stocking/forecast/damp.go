package forecast

import (
	"math"
	"sort"
)

// Outlier damping: a week is compared with the median of its neighbours
// (up to dampRadius weeks on each side, itself excluded); a week more than
// DampK robust standard deviations above it is clipped to that fence. The
// scale is 1.4826 × the median absolute deviation from those medians over
// the whole history, so one spike cannot widen its own fence. At the end
// of the history only earlier weeks are neighbours: a jump must persist
// about three weeks before it counts in full.
const (
	DampK      = 3.0
	dampRadius = 3
	// madToSigma turns a median absolute deviation into a normal σ.
	madToSigma = 1.4826
)

// Damp returns y with upward outliers clipped and how many weeks were.
// Series with mostly zero weeks (intermittent demand) have no robust
// scale (it is 0) and are left as they are: each of their sales is "an
// outlier" from a median of 0.
func Damp(y []float64) ([]float64, int) {
	out := append([]float64(nil), y...)
	if len(y) < 2*dampRadius+1 {
		return out, 0
	}
	med := make([]float64, len(y))
	dev := make([]float64, len(y))
	for t := range y {
		med[t] = neighbourMedian(y, t)
		dev[t] = math.Abs(y[t] - med[t])
	}
	scale := madToSigma * median(dev)
	if scale == 0 {
		return out, 0
	}
	clipped := 0
	for t, v := range y {
		if fence := med[t] + DampK*scale; v > fence {
			out[t] = fence
			clipped++
		}
	}
	return out, clipped
}

func neighbourMedian(y []float64, t int) float64 {
	var nb []float64
	for i := max(0, t-dampRadius); i <= min(len(y)-1, t+dampRadius); i++ {
		if i != t {
			nb = append(nb, y[i])
		}
	}
	return median(nb)
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
