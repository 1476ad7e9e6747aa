package forecast_test

import (
	"math"
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking/forecast"
)

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

// The intermittent methods against values worked by hand (α = β = 0.5 to
// keep the arithmetic short) on 0 3 0 0 2 0 4:
//
//	Croston: first demand (week 2): z = 3, p = 2; week 5: z = 3 + ½(2−3) = 2.5,
//	p = 2 + ½(3−2) = 2.5; week 7: z = 2.5 + ½(4−2.5) = 3.25, p = 2.5 + ½(2−2.5)
//	= 2.25; forecast z/p = 13/9.
//	SBA: (1 − α/2)·z/p = ¾·13/9 = 13/12.
//	TSB: π = ½ at week 2; then ×½ twice (0.125); demand: π = 0.125 + ½·0.875 =
//	0.5625, z = 2.5; no demand: 0.28125; demand: π = 0.640625, z = 3.25;
//	forecast π·z = 2.08203125.
func TestIntermittentByHand(t *testing.T) {
	y := []float64{0, 3, 0, 0, 2, 0, 4}
	near(t, "Croston", forecast.CrostonForecast(y, 0.5, 1)[0], 13.0/9)
	near(t, "SBA", forecast.SBAForecast(y, 0.5, 1)[0], 13.0/12)
	near(t, "TSB", forecast.TSBForecast(y, 0.5, 0.5, 1)[0], 2.08203125)
	for name, f := range map[string][]float64{
		"Croston": forecast.CrostonForecast(nil, 0.1, 3),
		"SBA":     forecast.SBAForecast([]float64{0, 0}, 0.1, 3),
		"TSB":     forecast.TSBForecast([]float64{0, 0, 0}, 0.1, 0.1, 3),
	} {
		if len(f) != 3 || f[0] != 0 || f[2] != 0 {
			t.Errorf("%s with no demand = %v, want three zeros", name, f)
		}
	}
	// TSB fades an item that stopped selling; Croston does not notice.
	stopped := []float64{2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0}
	if c, s := forecast.CrostonForecast(stopped, 0.1, 1)[0], forecast.TSBForecast(stopped, 0.1, 0.1, 1)[0]; !(s < 0.5*c) {
		t.Errorf("after 8 weeks without demand TSB = %.3f, Croston = %.3f; want TSB well below", s, c)
	}
}

func TestSmoothingByHand(t *testing.T) {
	// SES, α = ½, starts at the first four weeks' mean, 15, then steps
	// through weeks 2–5: 17.5, 13.75, 16.875, 23.4375.
	near(t, "SES", forecast.SESForecast([]float64{10, 20, 10, 20, 30}, 0.5, 1)[0], 23.4375)
	// Holt on an exact line continues it, whatever α and β.
	line := []float64{1, 2, 3, 4, 5, 6}
	got := forecast.HoltForecast(line, 0.3, 0.2, 1, 3)
	for k, want := range []float64{7, 8, 9} {
		near(t, "Holt", got[k], want)
	}
	// Damped, α = β = φ = ½, on 1 2 3: start ℓ = 1, b = (3−1)/2 = 1;
	// week 2: ŷ = 1.5, ℓ = 1.75, b = ½·0.75 + ½·½·1 = 0.625; week 3:
	// ŷ = 2.0625, ℓ = 2.53125, b = ½·0.78125 + ¼·0.625 = 0.546875;
	// forecasts ℓ + ½b = 2.8046875 and ℓ + ¾b = 2.94140625.
	damped := forecast.HoltForecast([]float64{1, 2, 3}, 0.5, 0.5, 0.5, 2)
	near(t, "damped Holt k=1", damped[0], 2.8046875)
	near(t, "damped Holt k=2", damped[1], 2.94140625)
	// Seasonal naive repeats the last season; without one it is naive.
	sn := forecast.SeasonalNaiveForecast([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 4, 6)
	for k, want := range []float64{5, 6, 7, 8, 5, 6} {
		near(t, "seasonal naive", sn[k], want)
	}
	near(t, "naive", forecast.SeasonalNaiveForecast([]float64{1, 2, 3}, 4, 1)[0], 3)
}

// Holt-Winters on an exact trend plus season recovers both: its forecast
// of the next season equals the generating formula.
func TestHoltWintersSanity(t *testing.T) {
	season := []float64{3, -1, -3, 1}
	gen := func(t int) float64 { return 10 + 0.5*float64(t) + season[t%4] }
	y := make([]float64, 12)
	for i := range y {
		y[i] = gen(i)
	}
	got := forecast.HoltWintersForecast(y, 4, 0.3, 0.1, 0.2, 6)
	for k := range got {
		if math.Abs(got[k]-gen(12+k)) > 1e-9 {
			t.Errorf("week %d: %.4f, want %.4f", 12+k, got[k], gen(12+k))
		}
	}
	// With less than two seasons it is Holt's method, not a guess at a season.
	short := forecast.HoltWintersForecast(y[:7], 4, 0.3, 0.1, 0.2, 1)[0]
	near(t, "Holt-Winters on 7 weeks", short, forecast.HoltForecast(y[:7], 0.3, 0.1, 1, 1)[0])
}

// Holt-Winters competes only with two full seasons of history, and then
// wins on a clean seasonal series.
func TestSeasonalMethodNeedsTwoSeasons(t *testing.T) {
	y := make([]float64, 40)
	for i := range y {
		y[i] = 20 + 8*math.Sin(2*math.Pi*float64(i)/8) + float64(i%3)*0.5
	}
	r := forecast.Fit(y, nil, forecast.Options{Season: 8, Backtest: 12, Interval: 0.8, Horizon: 8})
	if r.Method != forecast.HoltWinters {
		t.Errorf("5 seasons of a clean 8-week cycle: chose %s (scores %v), want %s", r.Method, r.Scores, forecast.HoltWinters)
	}
	r = forecast.Fit(y[:15], nil, forecast.Options{Season: 8, Backtest: 6, Interval: 0.8, Horizon: 8})
	for _, s := range r.Scores {
		if s.Method == forecast.HoltWinters {
			t.Errorf("Holt-Winters scored on less than two seasons: %v", r.Scores)
		}
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{4, 1, 3, 2, 5}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.1, 1.4}, {0.9, 4.6}, {1, 5}} {
		near(t, "quantile", forecast.Quantile(x, c.q), c.want)
	}
	near(t, "quantile of nothing", forecast.Quantile(nil, 0.5), 0)
}

// Degenerate input gives an answer, not a panic or a NaN.
func TestFitEdges(t *testing.T) {
	for _, c := range []struct {
		name string
		y    []float64
		o    forecast.Options
	}{
		{"no history", nil, forecast.Options{Backtest: 12, Interval: 0.8, Horizon: 2}},
		{"two weeks", []float64{3, 4}, forecast.Options{Backtest: 12, Interval: 0.8, Horizon: 2}},
		{"all zero", make([]float64, 30), forecast.Options{Season: 52, Backtest: 12, Interval: 0.8, Horizon: 2}},
		{"no backtest weeks", []float64{1, 2, 3, 4, 5, 6}, forecast.Options{Backtest: 0, Interval: 0.8, Horizon: 1}},
		{"no horizon", []float64{1, 2, 3, 4, 5, 6}, forecast.Options{Backtest: 3, Interval: 0.8, Horizon: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := forecast.Fit(c.y, nil, c.o)
			if r.Method == "" || math.IsNaN(r.MASE) || math.IsNaN(r.Sigma) || len(r.Mean) != max(c.o.Horizon, 0) {
				t.Fatalf("Fit = %+v", r)
			}
			for k := range r.Mean {
				if math.IsNaN(r.Mean[k]) || r.Mean[k] < 0 || r.Lo[k] > r.Hi[k] {
					t.Errorf("week %d: %v (%v–%v)", k, r.Mean[k], r.Lo[k], r.Hi[k])
				}
			}
		})
	}
}
