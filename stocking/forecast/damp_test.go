package forecast_test

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking/forecast"
)

// level is 30 weeks around 20 units (a fixed wiggle, no trend).
func level() []float64 {
	wiggle := []float64{0, 2, -1, 1, -2, 0, 1}
	y := make([]float64, 30)
	for i := range y {
		y[i] = 20 + wiggle[i%len(wiggle)]
	}
	return y
}

func TestDampClipsSpikesNotIntermittentSales(t *testing.T) {
	y := level()
	y[20] = 60
	got, n := forecast.Damp(y)
	if n != 1 || got[20] >= 30 || got[20] <= 20 {
		t.Errorf("spike of 60 at a level of 20: clipped %d weeks to %.1f, want 1 week within (20, 30)", n, got[20])
	}
	for i := range y {
		if i != 20 && got[i] != y[i] {
			t.Errorf("week %d changed from %v to %v", i, y[i], got[i])
		}
	}
	sparse := []float64{0, 0, 3, 0, 0, 0, 5, 0, 0, 1, 0, 0, 0, 4, 0}
	if got, n := forecast.Damp(sparse); n != 0 || got[6] != 5 {
		t.Errorf("intermittent series damped %d weeks: %v", n, got)
	}
}

// A one-week spike must not be read as a trend: listed in the events it
// is taken out of the history; unlisted, damping clips it. Either way the
// forecast 1 and 8 weeks on stays near the level of 20.
func TestOneWeekSpikeIsNotATrend(t *testing.T) {
	opts := forecast.Options{Season: 52, Backtest: 12, Interval: 0.8, Horizon: 8}
	for _, c := range []struct {
		name  string
		event bool
	}{{"listed event", true}, {"unlisted spike", false}} {
		t.Run(c.name, func(t *testing.T) {
			y := level()
			y[28] = 60 // the week before last
			var mult []float64
			if c.event {
				mult = make([]float64, len(y)+opts.Horizon)
				for i := range mult {
					mult[i] = 1
				}
				mult[28] = 3
			}
			r := forecast.Fit(y, mult, opts)
			t.Logf("%s: method %s, next week %.2f, week 8 %.2f", c.name, r.Method, r.Mean[0], r.Mean[7])
			for _, k := range []int{0, 7} {
				if r.Mean[k] < 17 || r.Mean[k] > 23 {
					t.Errorf("forecast %d weeks on = %.2f, want within 20 ± 3 (spike read as a trend?)", k+1, r.Mean[k])
				}
			}
		})
	}
	// The event's week itself is forecast with its uplift.
	y := level()
	mult := make([]float64, len(y)+2)
	for i := range mult {
		mult[i] = 1
	}
	mult[len(y)+1] = 2
	r := forecast.Fit(y, mult, forecast.Options{Season: 52, Backtest: 12, Interval: 0.8, Horizon: 2})
	if r.Mean[1] < 1.8*r.Mean[0] || r.Mean[1] > 2.2*r.Mean[0] {
		t.Errorf("week with a ×2 event forecast %.2f after %.2f, want about double", r.Mean[1], r.Mean[0])
	}
}
