package stocking

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/events"
	"github.com/edgeshelf/edgeshelf/stocking/forecast"
)

// MaxHistoryWeeks bounds the history Build reads: three years is more
// than any method here uses, and keeps a report's size in check.
const MaxHistoryWeeks = 156

// Build forecasts every region × SKU series of the input and plans every
// hub. It is deterministic: same input (in any order), same report.
func Build(cfg Config, in Input, promise PromiseModel) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if promise == nil {
		return nil, errors.New("stocking: no promise model")
	}
	hubs, err := checkHubs(in.Hubs)
	if err != nil {
		return nil, err
	}
	lines, unplaced := placed(in.Lines)
	to := demand.WeekStart(in.Now)
	from := historyStart(lines, to)
	r := &Report{Generated: in.Now, From: from, To: to, Config: cfg, Series: []SeriesForecast{}, Plans: []HubPlan{}}
	if unplaced > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d order lines without a SKU or a region left out", unplaced))
	}
	series := demand.Aggregate(lines, from, to)
	if len(series) == 0 {
		r.Notes = append(r.Notes, "no orders before "+to.Format(time.DateOnly)+": nothing to forecast")
	}
	r.Series = forecastAll(cfg, series, in.Events, to)
	recent := demand.Orders(within(lines, to.Add(-time.Duration(cfg.ProjectionWeeks)*demand.Week), to))
	for _, h := range hubs {
		hp, notes := planHub(cfg, h, r.Series, recent, promise)
		r.Plans = append(r.Plans, hp)
		r.Notes = append(r.Notes, notes...)
	}
	return r, nil
}

// forecastAll fits every series, on all cores: a shop with a few hundred
// SKUs in four regions has a thousand series, each a few hundred fits in
// its backtest. Each result goes to its series' index, so the report does
// not depend on which finished first.
func forecastAll(cfg Config, series []demand.Series, evs []Event, to time.Time) []SeriesForecast {
	out := make([]SeriesForecast, len(series))
	opts := forecast.Options{Season: cfg.SeasonWeeks, Backtest: cfg.BacktestWeeks, Interval: cfg.Interval, Horizon: cfg.HorizonWeeks}
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, s := range series {
		g.Go(func() error {
			mult := events.Multipliers(evs, s.Region, s.Start, len(s.Units)+cfg.HorizonWeeks)
			out[i] = seriesForecast(s, forecast.Fit(s.Units, mult, opts), to)
			return nil
		})
	}
	_ = g.Wait() // the fits return no errors
	return out
}

// checkHubs refuses hubs a plan cannot be made for and sorts them by id.
func checkHubs(in []HubCapacity) ([]HubCapacity, error) {
	hubs := append([]HubCapacity(nil), in...)
	sort.Slice(hubs, func(i, j int) bool { return hubs[i].Hub < hubs[j].Hub })
	for i, h := range hubs {
		switch {
		case h.Hub == "" || h.Region == "":
			return nil, fmt.Errorf("stocking: hub %q: hub and region are required", h.Hub)
		case i > 0 && hubs[i-1].Hub == h.Hub:
			return nil, fmt.Errorf("stocking: hub %q listed twice", h.Hub)
		case h.MaxSKUs < 0 || h.ShelfSlots < 0:
			return nil, fmt.Errorf("stocking: hub %q: capacity must not be negative", h.Hub)
		case !(h.LeadTimeWeeks >= 0 && h.LeadTimeWeeks <= 52):
			return nil, fmt.Errorf("stocking: hub %q: lead time must be within 0..52 weeks, got %v", h.Hub, h.LeadTimeWeeks)
		}
	}
	return hubs, nil
}

// placed drops lines no series can hold: without a SKU or a region.
func placed(lines []OrderLine) (out []OrderLine, dropped int) {
	out = make([]OrderLine, 0, len(lines))
	for _, l := range lines {
		if l.SKU == "" || l.Region == "" {
			dropped++
			continue
		}
		out = append(out, l)
	}
	return out, dropped
}

// historyStart is the week of the earliest line before to, at most
// MaxHistoryWeeks back.
func historyStart(lines []OrderLine, to time.Time) time.Time {
	from := to
	for _, l := range lines {
		if l.Time.Before(from) {
			from = l.Time
		}
	}
	return maxTime(demand.WeekStart(from), to.Add(-MaxHistoryWeeks*demand.Week))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func within(lines []OrderLine, from, to time.Time) []OrderLine {
	var out []OrderLine
	for _, l := range lines {
		if !l.Time.Before(from) && l.Time.Before(to) {
			out = append(out, l)
		}
	}
	return out
}

func seriesForecast(s demand.Series, r forecast.Result, to time.Time) SeriesForecast {
	sf := SeriesForecast{
		Region: s.Region, SKU: s.SKU, Method: r.Method,
		MASE: round(r.MASE, 3), BaselineMASE: round(r.BaselineMASE, 3), Sigma: round(r.Sigma, 3),
		History: make([]WeekValue, len(s.Units)), Forecast: make([]ForecastPoint, len(r.Mean)),
		Scores: make([]MethodScore, len(r.Scores)),
	}
	for i, sc := range r.Scores {
		sf.Scores[i] = MethodScore{Method: sc.Method, MASE: round(sc.MASE, 3)}
	}
	for i, u := range s.Units {
		start := s.Start.Add(time.Duration(i) * demand.Week)
		sf.History[i] = WeekValue{Week: demand.ISOWeek(start), Start: start, Units: u}
	}
	for k := range r.Mean {
		start := to.Add(time.Duration(k) * demand.Week)
		sf.Forecast[k] = ForecastPoint{Week: demand.ISOWeek(start), Start: start,
			Mean: round(r.Mean[k], 2), Lo: round(r.Lo[k], 2), Hi: round(r.Hi[k], 2)}
	}
	return sf
}

// round keeps reports readable and stable; +Inf and NaN (no score) read 0.
func round(x float64, places int) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
