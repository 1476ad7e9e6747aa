// Package stockingtest generates a synthetic order history with known
// demand for tests and demos, seeded and deterministic: steady fast
// sellers, a seasonal SKU (two, in fact), a trending SKU, intermittent
// SKUs and a one-week event spike listed in the events, over the demo
// shop's SKUs, regions and hubs, plus the demo catalog's promise table.
package stockingtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// History is a generated order history and what generated it.
type History struct {
	Lines  []stocking.OrderLine
	Events []stocking.Event
	Hubs   []stocking.HubCapacity
	// Start is the Monday of the first week; Now the Monday after the last.
	Start, Now time.Time
	// Mean is the true expected weekly demand (events included), by
	// "region/sku", one value per week.
	Mean map[string][]float64
}

// Start is the first week of every generated history (a Monday), so the
// demo's weeks are stable: 2025-W49 to 2026-W48 for 52 weeks.
var Start = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)

// SpikeWeek is the week of the listed event (a summer sale in the EU,
// ×SpikeUplift); a plan made at week 40 has it four weeks back.
const (
	SpikeWeek   = 36
	SpikeRegion = "EU"
	SpikeUplift = 2.5
)

// countries of each region with their share of its orders.
var countries = map[string][]struct {
	cc    string
	share float64
}{
	"EU":   {{"PL", 0.35}, {"DE", 0.3}, {"FR", 0.2}, {"NL", 0.15}},
	"US":   {{"US", 0.85}, {"CA", 0.15}},
	"GB":   {{"GB", 1}},
	"APAC": {{"JP", 0.5}, {"AU", 0.5}},
}

// regions in generation order (maps do not iterate deterministically).
var regions = []string{"APAC", "EU", "GB", "US"}

// Generate makes weeks weeks of history from seed (52 in the issue).
func Generate(seed uint64, weeks int) *History {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed5eed)) //nolint:gosec // test data from a fixed seed, not secrets
	h := &History{Start: Start, Now: Start.AddDate(0, 0, 7*weeks), Mean: map[string][]float64{}, Hubs: Hubs()}
	h.Events = []stocking.Event{{
		Region: SpikeRegion, Name: "summer sale", Uplift: SpikeUplift,
		From: Start.AddDate(0, 0, 7*SpikeWeek), To: Start.AddDate(0, 0, 7*SpikeWeek+6),
	}}
	next := 1001
	for w := 0; w < weeks; w++ {
		weekStart := Start.AddDate(0, 0, 7*w)
		for _, region := range regions {
			mult := 1.0
			if region == SpikeRegion && w == SpikeWeek {
				mult = SpikeUplift
			}
			var week []stocking.OrderLine
			for _, p := range profiles {
				key := region + "/" + p.sku
				mean, lines := p.week(rng, region, w, mult)
				if mean > 0 {
					if h.Mean[key] == nil {
						h.Mean[key] = make([]float64, weeks)
					}
					h.Mean[key][w] = mean
				}
				week = append(week, lines...)
			}
			next = intoOrders(rng, week, region, weekStart, next, &h.Lines)
		}
	}
	sort.SliceStable(h.Lines, func(i, j int) bool { return h.Lines[i].Time.Before(h.Lines[j].Time) })
	return h
}

// intoOrders gives a region's week of lines order ids, times and
// countries; about one order in seven carries two lines, as baskets do.
func intoOrders(rng *rand.Rand, week []stocking.OrderLine, region string, weekStart time.Time, next int, out *[]stocking.OrderLine) int {
	rng.Shuffle(len(week), func(i, j int) { week[i], week[j] = week[j], week[i] })
	for i := 0; i < len(week); i++ {
		id := fmt.Sprintf("#%d", next)
		next++
		at := weekStart.Add(time.Duration(rng.Int64N(int64(7 * 24 * time.Hour))))
		cc := country(rng, region)
		n := 1
		if i+1 < len(week) && week[i+1].SKU != week[i].SKU && rng.Float64() < 1.0/7 {
			n = 2
		}
		for _, l := range week[i : i+n] {
			l.OrderID, l.Time, l.Country, l.Region = id, at, cc, region
			*out = append(*out, l)
		}
		i += n - 1
	}
	return next
}

func country(rng *rand.Rand, region string) string {
	r := rng.Float64()
	cs := countries[region]
	for _, c := range cs {
		if r < c.share {
			return c.cc
		}
		r -= c.share
	}
	return cs[len(cs)-1].cc
}

// poisson draws from a Poisson distribution by Knuth's method (means here
// stay far below where exp(−λ) underflows).
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	limit, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}
