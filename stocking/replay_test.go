package stocking_test

import (
	"sort"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// planWeeks is where the replay cuts the generated year: the plan is made
// from the first 40 weeks and replayed on the last 12.
const planWeeks = 40

// topSellers ranks SKUs by units sold over all regions: how a shop stocks
// a hub without a forecast.
func topSellers(lines []stocking.OrderLine) []string {
	units := map[string]int{}
	for _, l := range lines {
		units[l.SKU] += l.Qty
	}
	skus := make([]string, 0, len(units))
	for s := range units {
		skus = append(skus, s)
	}
	sort.Slice(skus, func(i, j int) bool {
		if units[skus[i]] != units[skus[j]] {
			return units[skus[i]] > units[skus[j]]
		}
		return skus[i] < skus[j]
	})
	return skus
}

func split(lines []stocking.OrderLine, cut time.Time) (before, after []stocking.OrderLine) {
	for _, l := range lines {
		if l.Time.Before(cut) {
			before = append(before, l)
		} else {
			after = append(after, l)
		}
	}
	return before, after
}

// TestReplayBeatsTopSellers is the must-show: replaying the
// generated year's last 12 weeks with the plan made from the first 40 in
// place ships more of each hub region's orders in-region, and faster, than
// stocking the hub with the catalog's top sellers overall (same capacity,
// same stock-level rule, same promise model).
func TestReplayBeatsTopSellers(t *testing.T) {
	h := stockingtest.Generate(1, 52)
	cut := h.Start.AddDate(0, 0, 7*planWeeks)
	past, future := split(h.Lines, cut)
	promise := stockingtest.Promise()
	rep, err := stocking.Build(stocking.DefaultConfig(), stocking.Input{Lines: past, Events: h.Events, Hubs: h.Hubs, Now: cut}, promise)
	if err != nil {
		t.Fatal(err)
	}
	top := topSellers(past)
	var ours, theirs stocking.Outcome
	for i, hub := range h.Hubs {
		p := rep.Plans[i]
		if p.Hub != hub.Hub {
			t.Fatalf("plan %d is for %s, want %s", i, p.Hub, hub.Hub)
		}
		base := rep.Stock(hub, top)
		o := stocking.Replay(hub, p.Items, future, promise)
		b := stocking.Replay(hub, base, future, promise)
		t.Logf("%s (%s, %d orders): plan %v → %.1f %% in-region, %.1f h mean; top sellers %v → %.1f %% in-region, %.1f h mean",
			hub.Hub, hub.Region, o.Orders, skus(p.Items), 100*o.Share, o.MeanHours, skus(base), 100*b.Share, b.MeanHours)
		if o.Share < b.Share || o.MeanHours > b.MeanHours {
			t.Errorf("%s: the plan does worse than the top sellers", hub.Hub)
		}
		ours = add(ours, o)
		theirs = add(theirs, b)
	}
	t.Logf("both hubs' regions: plan %.1f %% in-region, %.1f h mean; top sellers %.1f %% in-region, %.1f h mean (ratio of mean hours %.3f)",
		100*ours.Share, ours.MeanHours, 100*theirs.Share, theirs.MeanHours, ours.MeanHours/theirs.MeanHours)
	if !(ours.Share > theirs.Share) || !(ours.MeanHours < theirs.MeanHours) {
		t.Errorf("the plan does not raise the in-region share (%.3f vs %.3f) and lower mean delivery hours (%.1f vs %.1f)",
			ours.Share, theirs.Share, ours.MeanHours, theirs.MeanHours)
	}
}

func add(a, b stocking.Outcome) stocking.Outcome {
	a.Orders += b.Orders
	a.InRegion += b.InRegion
	a.TotalHours += b.TotalHours
	a.StockOuts += b.StockOuts
	a.Share = float64(a.InRegion) / float64(a.Orders)
	a.MeanHours = a.TotalHours / float64(a.Orders)
	return a
}

func skus(items []stocking.PlanItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.SKU
	}
	return out
}
