package forecast

import "math"

// flat repeats one value h times: the forecast of a level-only method.
func flat(v float64, h int) []float64 {
	out := make([]float64, h)
	for i := range out {
		out[i] = v
	}
	return out
}

// SeasonalNaiveForecast repeats the last season: ŷ[T+k] = y[T+k−m·⌈k/m⌉].
// With less than one season of history (or m < 2) it is the naive
// forecast, the last value repeated: the baseline every method must beat.
func SeasonalNaiveForecast(y []float64, m, h int) []float64 {
	n := len(y)
	if n == 0 {
		return flat(0, h)
	}
	if m < 2 || n < m {
		return flat(y[n-1], h)
	}
	out := make([]float64, h)
	for k := range out {
		out[k] = y[n-m+k%m]
	}
	return out
}

// sesRun is simple exponential smoothing over y, started at the mean of
// the first four weeks (one week's noise would linger for long at a small
// α): the last level and the in-sample one-step squared error.
func sesRun(y []float64, alpha float64) (level, sse float64) {
	level = mean(y[:min(len(y), 4)])
	for _, v := range y[1:] {
		sse += (v - level) * (v - level)
		level = alpha*v + (1-alpha)*level
	}
	return level, sse
}

// SESForecast is simple exponential smoothing: level ℓ ← α·y + (1−α)·ℓ,
// started at the mean of the first four weeks; the forecast is the last
// level, flat.
func SESForecast(y []float64, alpha float64, h int) []float64 {
	if len(y) == 0 {
		return flat(0, h)
	}
	l, _ := sesRun(y, alpha)
	return flat(l, h)
}

// holtRun is Holt's damped-trend recursion over y: the last level and
// trend and the in-sample one-step squared error. It starts at the first
// value and the mean slope over the first few weeks (at most 4), so one
// noisy week does not set the trend.
func holtRun(y []float64, alpha, beta, phi float64) (level, trend, sse float64) {
	k := min(len(y)-1, 4)
	level = y[0]
	if k >= 1 {
		trend = (y[k] - y[0]) / float64(k)
	}
	for _, v := range y[1:] {
		pred := level + phi*trend
		sse += (v - pred) * (v - pred)
		prev := level
		level = alpha*v + (1-alpha)*pred
		trend = beta*(level-prev) + (1-beta)*phi*trend
	}
	return level, trend, sse
}

// dampedPath is ℓ + (φ + … + φᵏ)·b for k = 1..h.
func dampedPath(level, trend, phi float64, h int) []float64 {
	out := make([]float64, h)
	damp := 0.0
	for k := range out {
		damp += math.Pow(phi, float64(k+1))
		out[k] = level + damp*trend
	}
	return out
}

// HoltForecast is Holt's linear method with a damped trend (φ < 1 flattens
// the trend over the horizon, which keeps a short run of growth from being
// projected for months; φ = 1 is plain Holt):
//
//	ℓ ← α·y + (1−α)(ℓ + φb);  b ← β(ℓ − ℓ₋₁) + (1−β)φb;  ŷ[T+k] = ℓ + (φ + … + φᵏ)b
func HoltForecast(y []float64, alpha, beta, phi float64, h int) []float64 {
	if len(y) == 0 {
		return flat(0, h)
	}
	l, b, _ := holtRun(y, alpha, beta, phi)
	return dampedPath(l, b, phi, h)
}

// hwRun is additive Holt-Winters over y (len(y) ≥ 2m): the last level,
// trend and seasonal terms and the in-sample one-step squared error from
// the second season on. It starts from the first two seasons: the trend
// is the change of their means per week; a season's mean sits at its
// middle week, and the first season's deviations from that trend line are
// the seasonal terms.
func hwRun(y []float64, m int, alpha, beta, gamma float64) (level, trend float64, season []float64, sse float64) {
	m1, m2 := mean(y[:m]), mean(y[m:2*m])
	trend = (m2 - m1) / float64(m)
	lineAt := func(i int) float64 { return m1 + (float64(i)-float64(m-1)/2)*trend }
	season = make([]float64, m)
	for i := range season {
		season[i] = y[i] - lineAt(i)
	}
	level = lineAt(m - 1)
	for t := m; t < len(y); t++ {
		si := season[t%m]
		pred := level + trend + si
		sse += (y[t] - pred) * (y[t] - pred)
		prev := level
		level = alpha*(y[t]-si) + (1-alpha)*(level+trend)
		trend = beta*(level-prev) + (1-beta)*trend
		season[t%m] = gamma*(y[t]-level) + (1-gamma)*si
	}
	return level, trend, season, sse
}

// HoltWintersForecast is additive Holt-Winters with season m. It needs two
// full seasons; with less it falls back to Holt's method (undamped).
//
//	ℓ ← α(y − s) + (1−α)(ℓ + b);  b ← β(ℓ − ℓ₋₁) + (1−β)b;  s ← γ(y − ℓ) + (1−γ)s
func HoltWintersForecast(y []float64, m int, alpha, beta, gamma float64, h int) []float64 {
	if m < 2 || len(y) < 2*m {
		return HoltForecast(y, alpha, beta, 1, h)
	}
	l, b, s, _ := hwRun(y, m, alpha, beta, gamma)
	out := make([]float64, h)
	for k := range out {
		out[k] = l + float64(k+1)*b + s[(len(y)+k)%m]
	}
	return out
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
