package forecast

import "math"

// Smoothing parameters. The dense methods pick theirs per fit from these
// grids by in-sample one-step squared error; the intermittent ones use the
// fixed, low values the literature recommends for weekly retail demand
// (few non-zero weeks cannot tune a parameter).
var (
	alphaGrid = []float64{0.05, 0.1, 0.2, 0.3, 0.5}
	betaGrid  = []float64{0.05, 0.1, 0.2}
	gammaGrid = []float64{0.1, 0.3}
)

const (
	// IntermittentAlpha smooths Croston's and SBA's sizes and intervals
	// and TSB's sizes.
	IntermittentAlpha = 0.1
	// TSBBeta smooths TSB's demand probability.
	TSBBeta = 0.1
	// DampingPhi damps Holt's trend: after k weeks a trend has added
	// φ + … + φᵏ weeks of growth, at most φ/(1−φ) = 9 however far ahead.
	DampingPhi = 0.9
)

// IntermittentADI splits demand classes (Syntetos–Boylan): a series whose
// average interval between weeks with demand is above it is intermittent, and
// only the intermittent methods compete on it; the others are dense, and
// only the smoothing methods compete. The baseline competes on both.
// Fewer candidates means fewer chances to win a short backtest by luck.
const IntermittentADI = 1.32

type class int

const (
	anyClass class = iota
	dense
	intermittent
)

// classify is the series' demand class from its average demand interval.
func classify(y []float64) class {
	nonzero := 0
	for _, v := range y {
		if v > 0 {
			nonzero++
		}
	}
	if nonzero == 0 || float64(len(y))/float64(nonzero) > IntermittentADI {
		return intermittent
	}
	return dense
}

// candidate is a method the backtest may choose: its forecast of h weeks
// from history y, season m (0: none).
type candidate struct {
	name     string
	class    class
	seasonal bool // only with two seasons of history
	forecast func(y []float64, m, h int) []float64
}

// runs reports whether the candidate competes on a series of class c with
// season m.
func (cd candidate) runs(c class, m int) bool {
	return (cd.class == anyClass || cd.class == c) && (!cd.seasonal || m != 0)
}

// candidates in tie-break order: on equal backtest scores the simpler,
// earlier method wins.
var candidates = []candidate{
	{name: SeasonalNaive, forecast: SeasonalNaiveForecast},
	{name: SES, class: dense, forecast: sesBest},
	{name: Croston, class: intermittent, forecast: func(y []float64, _, h int) []float64 { return CrostonForecast(y, IntermittentAlpha, h) }},
	{name: SBA, class: intermittent, forecast: func(y []float64, _, h int) []float64 { return SBAForecast(y, IntermittentAlpha, h) }},
	{name: TSB, class: intermittent, forecast: func(y []float64, _, h int) []float64 { return TSBForecast(y, IntermittentAlpha, TSBBeta, h) }},
	{name: Holt, class: dense, forecast: holtBest},
	{name: HoltWinters, class: dense, seasonal: true, forecast: hwBest},
}

// Methods are the names of every method the backtest chooses among.
func Methods() []string {
	out := make([]string, len(candidates))
	for i, c := range candidates {
		out[i] = c.name
	}
	return out
}

func sesBest(y []float64, _, h int) []float64 {
	if len(y) == 0 {
		return flat(0, h)
	}
	bestL, bestSSE := 0.0, math.Inf(1)
	for _, a := range alphaGrid {
		if l, sse := sesRun(y, a); sse < bestSSE {
			bestL, bestSSE = l, sse
		}
	}
	return flat(bestL, h)
}

func holtBest(y []float64, _, h int) []float64 {
	if len(y) == 0 {
		return flat(0, h)
	}
	var bestL, bestB float64
	bestSSE := math.Inf(1)
	for _, a := range alphaGrid {
		for _, b := range betaGrid {
			if l, tr, sse := holtRun(y, a, b, DampingPhi); sse < bestSSE {
				bestL, bestB, bestSSE = l, tr, sse
			}
		}
	}
	return dampedPath(bestL, bestB, DampingPhi, h)
}

func hwBest(y []float64, m, h int) []float64 {
	var best []float64
	bestSSE := math.Inf(1)
	for _, a := range alphaGrid {
		for _, b := range betaGrid {
			for _, g := range gammaGrid {
				_, _, _, sse := hwRun(y, m, a, b, g)
				if sse < bestSSE {
					best, bestSSE = HoltWintersForecast(y, m, a, b, g, h), sse
				}
			}
		}
	}
	return best
}
