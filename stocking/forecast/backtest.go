package forecast

import (
	"math"
	"sort"
)

// backtestResult is every candidate's one-step errors over the rolling
// origins, in event-free units.
type backtestResult struct {
	mase []float64 // per candidate, over the scored (last) origins; +Inf: not run
	// residuals per candidate over every pooled origin (actual − forecast),
	// the interval's sample.
	residuals [][]float64
}

// poolFactor: the interval's residual sample spans this many times the
// scored weeks (12 scored weeks are too few for a 10 % quantile).
const poolFactor = 2

// backtest fits every candidate on y[:t] for each origin t and scores its
// forecast of week t. Outlier damping runs on each origin's own history,
// so no origin sees a later week. MASE scales the mean absolute error by
// the in-sample naive error of the history before the scored weeks.
func backtest(y []float64, m, scored int) backtestResult {
	n := len(y)
	first := max(minHistory, n-poolFactor*scored)
	scoredFrom := max(first, n-scored)
	scale := naiveMAE(y[:scoredFrom], m)
	res := backtestResult{mase: make([]float64, len(candidates)), residuals: make([][]float64, len(candidates))}
	absErr := make([]float64, len(candidates))
	cl := classify(y)
	for t := first; t < n; t++ {
		hist, _ := Damp(y[:t])
		for i, c := range candidates {
			if !c.runs(cl, m) {
				continue
			}
			e := y[t] - c.forecast(hist, m, 1)[0]
			res.residuals[i] = append(res.residuals[i], e)
			if t >= scoredFrom {
				absErr[i] += math.Abs(e)
			}
		}
	}
	for i, c := range candidates {
		res.mase[i] = math.Inf(1)
		if c.runs(cl, m) {
			res.mase[i] = absErr[i] / float64(n-scoredFrom) / scale
		}
	}
	return res
}

// choose is the candidate with the lowest MASE; the earlier on ties.
func (b backtestResult) choose() int {
	best := 0
	for i, v := range b.mase {
		if v < b.mase[best] {
			best = i
		}
	}
	return best
}

func (b backtestResult) scores() []Score {
	var out []Score
	for i, v := range b.mase {
		if !math.IsInf(v, 0) {
			out = append(out, Score{Method: candidates[i].name, MASE: v})
		}
	}
	return out
}

// naiveMAE is the in-sample mean absolute error of the (seasonal) naive
// forecast: MASE's denominator. A series that never changed has none; then
// one unit per week stands in, so errors still read in units.
func naiveMAE(y []float64, m int) float64 {
	lag := max(m, 1)
	if len(y) <= lag {
		return 1
	}
	s := 0.0
	for t := lag; t < len(y); t++ {
		s += math.Abs(y[t] - y[t-lag])
	}
	if s == 0 {
		return 1
	}
	return s / float64(len(y)-lag)
}

// Quantile is the q-quantile of x by linear interpolation between order
// statistics (type 7, as R and NumPy default); 0 for no data.
func Quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	if i < 0 {
		return s[0]
	}
	frac := pos - float64(i)
	return s[i] + frac*(s[i+1]-s[i])
}
