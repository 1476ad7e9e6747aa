package stocking

import (
	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/plan"
)

// Outcome is what a replay measured for a hub's region (see plan.Outcome).
type Outcome = plan.Outcome

// Stock is what the hub would hold if it took the SKUs in the given order
// (the catalog's top sellers, say) while its capacity lasts, at the levels
// this report's forecasts for its region set: the alternative an analyst
// compares a plan with. SKUs without a forecast in the region are skipped.
func (r *Report) Stock(h HubCapacity, ranked []string) []PlanItem {
	byS := map[string]plan.Candidate{}
	for _, c := range candidates(r.Config, h, r.Series, nil) {
		byS[c.SKU] = c
	}
	var ordered []plan.Item
	for _, sku := range ranked {
		if c, ok := byS[sku]; ok {
			lv := plan.StockLevels(c.WeeklyDemand, c.WeeklySigma, h.LeadTimeWeeks, r.Config.ReviewWeeks, r.Config.ServiceLevel)
			ordered = append(ordered, plan.Item{Candidate: c, Levels: lv})
		}
	}
	p := plan.Fill(plan.Hub{ID: h.Hub, Region: h.Region, MaxSKUs: h.MaxSKUs, ShelfSlots: h.ShelfSlots}, ordered)
	out := make([]PlanItem, 0, len(p.Items))
	for _, it := range p.Items {
		out = append(out, planItem(it))
	}
	return out
}

// Replay ships the orders in lines (say, the weeks after a plan was made)
// from the hub holding items, reordering at their reorder points up to
// their targets with the hub's lead time, as plan.Replay does: the share
// of its region's orders shipped in-region and the delivery hours.
func Replay(h HubCapacity, items []PlanItem, lines []OrderLine, promise PromiseModel) Outcome {
	held := make([]plan.Item, 0, len(items))
	for _, it := range items {
		held = append(held, plan.Item{
			Candidate: plan.Candidate{SKU: it.SKU},
			Levels:    plan.Levels{ReorderUnits: it.ReorderPoint, TargetUnits: it.TargetStock},
		})
	}
	hub := plan.Hub{ID: h.Hub, Region: h.Region, LeadWeeks: h.LeadTimeWeeks}
	return plan.Replay(demand.Orders(lines), hub, held, promise)
}
