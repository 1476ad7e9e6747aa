// Package plan decides what each hub holds: which SKUs under its capacity,
// how many (demand over the lead time plus safety stock for a service
// level) and when to reorder, and what that does to the region's
// in-region share and delivery hours under the routing engine's promise
// model (replayed on orders).
package plan

import (
	"sort"
)

// PromiseModel is the delivery promise the routing engine would make. Hours
// are promised maximum delivery hours (handling plus the primary carrier's
// transit), as the badge shows.
type PromiseModel interface {
	// HubHours is the promise from hub to a destination (country and its
	// region); ok is false when the hub cannot serve it.
	HubHours(hub, country, region string) (hours float64, ok bool)
	// FallbackHours is the promise when the order cannot ship from a hub
	// in its region: from the central node.
	FallbackHours(country, region string) (hours float64, ok bool)
}

// Hub is what a hub can hold and how long restocking it takes.
type Hub struct {
	ID     string
	Region string
	// MaxSKUs bounds the number of SKUs; ShelfSlots the units, summed over
	// the target stock of every SKU. 0: no bound.
	MaxSKUs, ShelfSlots int
	LeadWeeks           float64
	Stocked             []string // held today; empty: a new hub
}

// Settings are the plan's policy.
type Settings struct {
	ServiceLevel float64
	ReviewWeeks  float64
	StarterSKUs  int
}

// Candidate is a SKU the hub could hold, with its forecast for the hub's
// region.
type Candidate struct {
	SKU          string
	WeeklyDemand float64 // units per week
	WeeklySigma  float64 // forecast error σ per week, units
	// OrdersPerUnit is the SKU's orders per unit sold in the region (an
	// order of 3 saves one delivery, not 3); 0 reads as 1.
	OrdersPerUnit float64
}

// Item is a SKU in a plan.
type Item struct {
	Candidate
	Levels
	// HoursSaved is the delivery hours per week saved by shipping the
	// SKU's orders from the hub rather than the fallback.
	HoursSaved float64
}

// Plan is a hub's selection.
type Plan struct {
	Items     []Item // best first
	SlotsUsed int
	// Move is the "move these N SKUs" list: planned SKUs the hub does not
	// stock yet, best first; for a new hub the Settings.StarterSKUs
	// fastest sellers.
	Move []Item
}

// Select picks the hub's SKUs. Every candidate is worth its weekly orders
// × savedPerOrder (the mean delivery hours an order of the region saves
// when the hub ships it) and costs its target stock in shelf slots. It is
// a knapsack: the greedy fill by worth and the greedy fill by worth per
// slot are both run, and the one worth more is kept (by worth alone when
// slots are unbounded). Ties break by SKU, so the plan is deterministic.
func Select(hub Hub, cands []Candidate, savedPerOrder float64, s Settings) Plan {
	items := make([]Item, 0, len(cands))
	for _, c := range cands {
		it := Item{Candidate: c, Levels: StockLevels(c.WeeklyDemand, c.WeeklySigma, hub.LeadWeeks, s.ReviewWeeks, s.ServiceLevel)}
		it.HoursSaved = c.WeeklyDemand * ordersPerUnit(c) * max(savedPerOrder, 0)
		if it.HoursSaved > 0 && it.TargetUnits > 0 {
			items = append(items, it)
		}
	}
	byWorth := append([]Item(nil), items...)
	sort.Slice(byWorth, func(i, j int) bool { return better(byWorth[i], byWorth[j]) })
	best := Fill(hub, byWorth)
	if hub.ShelfSlots > 0 {
		byDensity := append([]Item(nil), items...)
		sort.Slice(byDensity, func(i, j int) bool {
			di := byDensity[i].HoursSaved / float64(byDensity[i].TargetUnits)
			dj := byDensity[j].HoursSaved / float64(byDensity[j].TargetUnits)
			if di != dj {
				return di > dj
			}
			return better(byDensity[i], byDensity[j])
		})
		if alt := Fill(hub, byDensity); worth(alt) > worth(best) {
			best = alt
		}
	}
	sort.SliceStable(best.Items, func(i, j int) bool { return better(best.Items[i], best.Items[j]) })
	best.Move = moves(hub, best.Items, s.StarterSKUs)
	return best
}

// Fill takes items in the given order while the hub has room (SKU count
// and shelf slots), skipping any that do not fit.
func Fill(hub Hub, ordered []Item) Plan {
	var p Plan
	for _, it := range ordered {
		if hub.MaxSKUs > 0 && len(p.Items) >= hub.MaxSKUs {
			break
		}
		if hub.ShelfSlots > 0 && p.SlotsUsed+it.TargetUnits > hub.ShelfSlots {
			continue
		}
		p.Items = append(p.Items, it)
		p.SlotsUsed += it.TargetUnits
	}
	return p
}

// moves lists the planned SKUs the hub does not hold yet. A new hub starts
// small ("breadth kills speed"): its fastest sellers only, at most starter.
func moves(hub Hub, items []Item, starter int) []Item {
	held := map[string]bool{}
	for _, s := range hub.Stocked {
		held[s] = true
	}
	var out []Item
	for _, it := range items {
		if !held[it.SKU] {
			out = append(out, it)
		}
	}
	if len(hub.Stocked) == 0 {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].WeeklyDemand != out[j].WeeklyDemand {
				return out[i].WeeklyDemand > out[j].WeeklyDemand
			}
			return out[i].SKU < out[j].SKU
		})
		out = out[:min(len(out), max(starter, 0))]
	}
	return out
}

func better(a, b Item) bool {
	if a.HoursSaved != b.HoursSaved {
		return a.HoursSaved > b.HoursSaved
	}
	return a.SKU < b.SKU
}

func worth(p Plan) float64 {
	w := 0.0
	for _, it := range p.Items {
		w += it.HoursSaved
	}
	return w
}

func ordersPerUnit(c Candidate) float64 {
	if c.OrdersPerUnit <= 0 {
		return 1
	}
	return min(c.OrdersPerUnit, 1)
}
