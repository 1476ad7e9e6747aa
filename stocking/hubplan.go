package stocking

import (
	"fmt"
	"math"
	"sort"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/plan"
)

// planHub selects the hub's SKUs from its region's forecasts and projects
// the plan by replaying the region's recent orders against it and against
// what the hub holds today.
func planHub(cfg Config, h HubCapacity, series []SeriesForecast, recent []demand.Order, promise PromiseModel) (HubPlan, []string) {
	hub := plan.Hub{ID: h.Hub, Region: h.Region, MaxSKUs: h.MaxSKUs, ShelfSlots: h.ShelfSlots, LeadWeeks: h.LeadTimeWeeks, Stocked: sortedCopy(h.Stocked)}
	settings := plan.Settings{ServiceLevel: cfg.ServiceLevel, ReviewWeeks: cfg.ReviewWeeks, StarterSKUs: cfg.StarterSKUs}
	cands := candidates(cfg, h, series, ordersPerUnit(recent, h.Region))
	saved := plan.SavedPerOrder(recent, hub, promise)
	p := plan.Select(hub, cands, saved, settings)
	current := plan.Select(plan.Hub{ID: h.Hub, Region: h.Region, LeadWeeks: h.LeadTimeWeeks}, only(cands, hub.Stocked), saved, settings)
	before := plan.Replay(recent, hub, current.Items, promise)
	after := plan.Replay(recent, hub, p.Items, promise)
	hp := HubPlan{
		Hub: h.Hub, Region: h.Region, MaxSKUs: h.MaxSKUs, ShelfSlots: h.ShelfSlots, SlotsUsed: p.SlotsUsed,
		LeadTimeWeeks: h.LeadTimeWeeks, Items: []PlanItem{},
		InRegionShare: round(after.Share, 3), MeanHoursBefore: round(before.MeanHours, 1), MeanHoursAfter: round(after.MeanHours, 1),
		HoursSavedPerWeek: round((before.TotalHours-after.TotalHours)/float64(cfg.ProjectionWeeks), 1),
		Move:              Move{SKUs: []string{}, Units: []int{}},
	}
	for _, it := range p.Items {
		hp.Items = append(hp.Items, planItem(it))
	}
	for _, it := range p.Move {
		hp.Move.SKUs = append(hp.Move.SKUs, it.SKU)
		hp.Move.Units = append(hp.Move.Units, it.TargetUnits)
	}
	var notes []string
	switch {
	case after.Orders == 0:
		notes = append(notes, fmt.Sprintf("%s: no orders from %s in the last %d weeks to project the plan on", h.Hub, h.Region, cfg.ProjectionWeeks))
	case saved == 0:
		notes = append(notes, fmt.Sprintf("%s: its promise to %s is no faster than the fallback's; stocking it saves no delivery hours", h.Hub, h.Region))
	}
	return hp, notes
}

// candidates are the SKUs with a forecast in the hub's region: their mean
// weekly demand over lead time plus review period (the weeks a stock level
// must last; known events in them included), the forecast's one-step
// error σ (event-free), and their orders per unit (opu; missing reads 1).
func candidates(cfg Config, h HubCapacity, series []SeriesForecast, opu map[string]float64) []plan.Candidate {
	weeks := int(math.Ceil(h.LeadTimeWeeks + cfg.ReviewWeeks))
	var out []plan.Candidate
	for _, s := range series {
		if s.Region != h.Region || len(s.Forecast) == 0 {
			continue
		}
		n := min(max(weeks, 1), len(s.Forecast))
		d := 0.0
		for _, f := range s.Forecast[:n] {
			d += f.Mean
		}
		out = append(out, plan.Candidate{SKU: s.SKU, WeeklyDemand: d / float64(n), WeeklySigma: s.Sigma, OrdersPerUnit: opu[s.SKU]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

// ordersPerUnit is, per SKU, the orders containing it over the units sold
// in the region's recent orders.
func ordersPerUnit(orders []demand.Order, region string) map[string]float64 {
	n, units := map[string]int{}, map[string]int{}
	for _, o := range orders {
		if o.Region != region {
			continue
		}
		for sku, q := range o.Units {
			n[sku]++
			units[sku] += q
		}
	}
	out := make(map[string]float64, len(n))
	for sku := range n {
		out[sku] = float64(n[sku]) / float64(units[sku])
	}
	return out
}

func planItem(it plan.Item) PlanItem {
	return PlanItem{
		SKU: it.SKU, WeeklyDemand: round(it.WeeklyDemand, 2), WeeklySigma: round(it.WeeklySigma, 2),
		SafetyStock: it.SafetyUnits, ReorderPoint: it.ReorderUnits, TargetStock: it.TargetUnits,
		HoursSaved: round(it.HoursSaved, 1),
	}
}

func only(cands []plan.Candidate, skus []string) []plan.Candidate {
	keep := map[string]bool{}
	for _, s := range skus {
		keep[s] = true
	}
	var out []plan.Candidate
	for _, c := range cands {
		if keep[c.SKU] {
			out = append(out, c)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
