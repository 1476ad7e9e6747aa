// Package forecast predicts weekly demand for one series with methods that
// suit small shops (seasonal naive, Croston, SBA, TSB, simple/Holt/
// Holt-Winters exponential smoothing), picks one per series by a
// rolling-origin backtest on MASE and attaches prediction intervals from
// the backtest's residuals. Known events are taken out of the history
// before fitting and put back into the forecast; unknown one-week spikes
// are damped, so neither is read as a trend.
package forecast

import (
	"math"
)

// Method names.
const (
	SeasonalNaive = "seasonal_naive"
	Croston       = "croston"
	SBA           = "sba"
	TSB           = "tsb"
	SES           = "ses"
	Holt          = "holt"
	HoltWinters   = "holt_winters"
)

// Options tune a fit.
type Options struct {
	// Season is the season length in weeks; seasonal methods (and the
	// baseline's season) apply only with two full seasons of history.
	Season int
	// Backtest is how many last weeks score each method (one-step-ahead
	// forecasts from rolling origins).
	Backtest int
	// Interval is the prediction interval's coverage (0.8: 10 %–90 %).
	Interval float64
	// Horizon is how many weeks to forecast.
	Horizon int
}

// Score is one method's backtest result.
type Score struct {
	Method string  `json:"method"`
	MASE   float64 `json:"mase"`
}

// Result is a series' forecast.
type Result struct {
	Method string
	// MASE is the chosen method's backtest MASE; BaselineMASE the seasonal
	// naive's over the same weeks.
	MASE, BaselineMASE float64
	Scores             []Score
	// Mean, Lo and Hi are the forecast and its interval (in whole units),
	// one per horizon week, with the events' multipliers applied; never
	// negative.
	Mean, Lo, Hi []float64
	// Sigma is the standard deviation of the chosen method's one-step
	// errors, in event-free units per week.
	Sigma float64
	// Damped is how many weeks of history outlier damping clipped.
	Damped int
}

// minHistory is the fewest weeks a method is fitted on in the backtest.
const minHistory = 3

// Fit forecasts y (weekly units, oldest first). mult holds the events'
// multipliers for the history and the horizon (len(y)+Horizon; nil: no
// events). Horizon below 0 reads as 0, Backtest below 1 as 1.
func Fit(y, mult []float64, o Options) Result {
	o.Horizon, o.Backtest = max(o.Horizon, 0), max(o.Backtest, 1)
	n := len(y)
	mult = fullMultipliers(mult, n+o.Horizon)
	adj := make([]float64, n)
	for t := range y {
		adj[t] = y[t] / mult[t]
	}
	m := usableSeason(o.Season, n)
	clean, damped := Damp(adj)
	if n <= minHistory {
		mean := SeasonalNaiveForecast(clean, m, o.Horizon)
		return finish(Result{Method: SeasonalNaive, Damped: damped}, mean, nil, mult[n:], o.Interval)
	}
	bt := backtest(adj, m, o.Backtest)
	best := bt.choose()
	r := Result{Method: candidates[best].name, MASE: bt.mase[best], BaselineMASE: bt.mase[0], Scores: bt.scores(), Damped: damped}
	mean := candidates[best].forecast(clean, m, o.Horizon)
	return finish(r, mean, bt.residuals[best], mult[n:], o.Interval)
}

// usableSeason is the season length if the history holds two full
// seasons, else 0 (none): one season cannot tell a season from noise.
func usableSeason(season, n int) int {
	if season >= 2 && n >= 2*season {
		return season
	}
	return 0
}

func fullMultipliers(mult []float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
		if i < len(mult) && mult[i] > 0 && !math.IsInf(mult[i], 0) {
			out[i] = mult[i]
		}
	}
	return out
}

// finish applies the horizon's multipliers and the interval: the k-week
// ahead interval is the one-step residual quantiles widened by √k (errors
// of a level forecast add up like a random walk's), scaled by the week's
// multiplier, cut at zero and rounded to whole units, as demand comes in
// whole units (an interval of 0.1–2.1 units would miss every week
// without a sale, which for an intermittent SKU is most weeks).
func finish(r Result, mean, residuals, mult []float64, interval float64) Result {
	lo, hi := Quantile(residuals, (1-interval)/2), Quantile(residuals, (1+interval)/2)
	r.Sigma = rms(residuals)
	r.Mean = make([]float64, len(mean))
	r.Lo = make([]float64, len(mean))
	r.Hi = make([]float64, len(mean))
	for k, f := range mean {
		f = max(f, 0)
		w := math.Sqrt(float64(k + 1))
		r.Mean[k] = f * mult[k]
		r.Lo[k] = max(0, math.Round((f+lo*w)*mult[k]))
		r.Hi[k] = max(0, math.Round((f+hi*w)*mult[k]))
	}
	return r
}

func rms(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}
