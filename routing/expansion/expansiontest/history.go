// Package expansiontest generates order histories for the expansion
// report's tests: decisions and delivery outcomes week by week.
package expansiontest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
)

// Region is one destination region's traffic.
type Region struct {
	Region, Country, Node string
	// Orders per week, delivery hours and cost per delivery (each ±10 %).
	Orders int
	Hours  float64
	Cost   float64
	// In SpikeWeeks (0 = the oldest week) the region has SpikeOrders
	// orders taking SpikeHours instead.
	SpikeWeeks  []int
	SpikeOrders int
	SpikeHours  float64
}

// History makes weeks complete ISO weeks of orders ending before the week
// of now, every order delivered, from a fixed seed.
func History(now time.Time, weeks int, regions []Region, seed uint64) ([]decisionlog.Record, []decisionlog.Delivery) {
	rng := rand.New(rand.NewPCG(seed, 1)) //nolint:gosec // test data from a fixed seed, not secrets
	t := now.UTC()
	monday := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	start := monday.AddDate(0, 0, -7*weeks)
	var recs []decisionlog.Record
	var ds []decisionlog.Delivery
	n := 0
	for w := range weeks {
		for _, r := range regions {
			orders, hours := r.Orders, r.Hours
			if slices.Contains(r.SpikeWeeks, w) {
				orders, hours = r.SpikeOrders, r.SpikeHours
			}
			for range orders {
				n++
				at := start.AddDate(0, 0, 7*w).Add(time.Duration(rng.Int64N(int64(7 * 24 * time.Hour))))
				id := fmt.Sprintf("H%08d", n)
				recs = append(recs, decisionlog.Record{
					DecisionID: id, DecidedAt: at, Source: decisionlog.SourceOrder, RulesVersion: "gen",
					Country: r.Country, Region: r.Region, Node: r.Node, Lines: []routing.Line{{SKU: "label-mug", Qty: 1}},
				})
				h := hours * (0.9 + 0.2*rng.Float64())
				ds = append(ds, decisionlog.Delivery{
					DecisionID: id, DeliveredAt: at.Add(time.Duration(h * float64(time.Hour))),
					Cost: r.Cost * (0.9 + 0.2*rng.Float64()), PostedAt: at.Add(time.Duration((h + 1) * float64(time.Hour))),
				})
			}
		}
	}
	return recs, ds
}

// TwelveWeeks is the history the tests share: APAC is large and slow for
// all twelve weeks; GB is small and fast except for a two-week spike
// (weeks 8 and 9) when it is just as large and slow; EU and US are fine.
func TwelveWeeks() []Region {
	return []Region{
		{Region: "EU", Country: "DE", Node: "eu-waw", Orders: 120, Hours: 30, Cost: 6},
		{Region: "US", Country: "US", Node: "us-east", Orders: 50, Hours: 40, Cost: 8},
		{Region: "APAC", Country: "JP", Node: "central", Orders: 32, Hours: 96, Cost: 24},
		{Region: "GB", Country: "GB", Node: "eu-waw", Orders: 10, Hours: 40, Cost: 9,
			SpikeWeeks: []int{8, 9}, SpikeOrders: 45, SpikeHours: 90},
	}
}
