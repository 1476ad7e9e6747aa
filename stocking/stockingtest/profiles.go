package stockingtest

import (
	"math"
	"math/rand/v2"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// profile is how one SKU sells: dense SKUs sell Poisson(rate) single
// units a week; intermittent ones sell in a week with probability chance,
// one line of 1..maxSize units.
type profile struct {
	sku     string
	rate    map[string]float64 // region → mean units per week (dense)
	shape   func(w int) float64
	chance  map[string]float64 // region → probability of a sale in a week (intermittent)
	maxSize int
}

func flatShape(int) float64 { return 1 }

// annual is a yearly cycle peaking in week peak (amplitude a).
func annual(peak int, a float64) func(int) float64 {
	return func(w int) float64 { return 1 + a*math.Cos(2*math.Pi*float64(w-peak)/52) }
}

// The demo shop: perfumes sell in Europe, merch in North America; the
// catalog's top sellers overall are therefore not any one hub's.
var profiles = []profile{
	{sku: "amber-oud-50ml", rate: map[string]float64{"EU": 30, "US": 8, "GB": 6, "APAC": 3}, shape: flatShape},
	{sku: "vetiver-noir-50ml", rate: map[string]float64{"EU": 16, "US": 5, "GB": 4, "APAC": 1}, shape: flatShape},
	// Seasonal: roses for Valentine's day (week 11 is mid-February).
	{sku: "rose-absolute-30ml", rate: map[string]float64{"EU": 12, "US": 6, "GB": 3}, shape: annual(11, 0.6)},
	// Seasonal: hoodies peak around Christmas (week 3).
	{sku: "label-hoodie", rate: map[string]float64{"US": 12, "EU": 5, "GB": 2}, shape: annual(3, 0.7)},
	// Trend: the tee took off in the US (4 a week to 29.5 over the year).
	{sku: "label-tee", rate: map[string]float64{"US": 4, "EU": 5, "GB": 1}, shape: flatShape},
	{sku: "label-mug", rate: map[string]float64{"US": 14, "EU": 2}, shape: flatShape},
	{sku: "label-cap", rate: map[string]float64{"US": 10, "EU": 1, "APAC": 1}, shape: flatShape},
	// Intermittent.
	{sku: "label-polo", chance: map[string]float64{"EU": 0.25, "US": 0.25}, maxSize: 4},
	{sku: "label-longsleeve", chance: map[string]float64{"US": 0.3, "EU": 0.15}, maxSize: 3},
	{sku: "label-tote", chance: map[string]float64{"EU": 0.4, "GB": 0.2}, maxSize: 5},
}

// TrendSKU grows in TrendRegion by TrendPerWeek units a week.
const (
	TrendSKU     = "label-tee"
	TrendRegion  = "US"
	TrendPerWeek = 0.5
)

// week draws the SKU's lines for one region and week (without order ids)
// and returns the true mean units with them.
func (p profile) week(rng *rand.Rand, region string, w int, mult float64) (float64, []stocking.OrderLine) {
	var lines []stocking.OrderLine
	if p.maxSize > 0 {
		chance := min(p.chance[region]*mult, 1)
		if chance == 0 {
			return 0, nil
		}
		if rng.Float64() < chance {
			lines = append(lines, stocking.OrderLine{SKU: p.sku, Qty: 1 + rng.IntN(p.maxSize)})
		}
		return chance * float64(1+p.maxSize) / 2, lines
	}
	rate := p.rate[region] * p.shape(w)
	if p.sku == TrendSKU && region == TrendRegion {
		rate += TrendPerWeek * float64(w)
	}
	rate *= mult
	for range poisson(rng, rate) {
		lines = append(lines, stocking.OrderLine{SKU: p.sku, Qty: 1})
	}
	return rate, lines
}

// Hubs are the demo shop's hubs: Warsaw (EU, holds the two best perfumes
// today, 1-week restock) and a new US-East hub (empty, 2-week restock).
func Hubs() []stocking.HubCapacity {
	return []stocking.HubCapacity{
		{Hub: "eu-waw", Region: "EU", MaxSKUs: 5, ShelfSlots: 220, LeadTimeWeeks: 1, Stocked: []string{"amber-oud-50ml", "vetiver-noir-50ml"}},
		{Hub: "us-east", Region: "US", MaxSKUs: 4, ShelfSlots: 300, LeadTimeWeeks: 2},
	}
}

// TablePromise is a PromiseModel from fixed tables: hours from each hub to
// each region, and the fallback (central) hours per region.
type TablePromise struct {
	Hub      map[string]map[string]float64 // hub → region → hours
	Fallback map[string]float64            // region → hours
}

// HubHours implements stocking.PromiseModel.
func (t TablePromise) HubHours(hub, _, region string) (float64, bool) {
	h, ok := t.Hub[hub][region]
	return h, ok
}

// FallbackHours implements stocking.PromiseModel.
func (t TablePromise) FallbackHours(_, region string) (float64, bool) {
	h, ok := t.Fallback[region]
	return h, ok
}

// Promise is the demo catalog's promise (demo/catalog.yaml: handling days
// plus the primary carrier's maximum transit hours), as a table; a test
// checks it against stocking.RoutingPromise over the demo catalog.
func Promise() TablePromise {
	return TablePromise{
		Hub: map[string]map[string]float64{
			"eu-waw":  {"EU": 48, "GB": 96},
			"us-east": {"US": 72},
		},
		Fallback: map[string]float64{"EU": 96, "GB": 120, "US": 120, "APAC": 144},
	}
}
