package plan_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/plan"
)

var settings = plan.Settings{ServiceLevel: 0.95, ReviewWeeks: 0, StarterSKUs: 1}

func skus(p plan.Plan) []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.SKU)
	}
	return out
}

// Shelf slots make it a knapsack: the big, erratic seller takes 77 slots
// for 60 units a week; the two steady ones take 90 for 90. Filling by
// worth would stop at the big one; by worth per slot finds the better pair.
func TestSelectKnapsack(t *testing.T) {
	cands := []plan.Candidate{
		{SKU: "big", WeeklyDemand: 60, WeeklySigma: 10},
		{SKU: "steady-a", WeeklyDemand: 45},
		{SKU: "steady-b", WeeklyDemand: 45},
	}
	hub := plan.Hub{ID: "h", Region: "EU", ShelfSlots: 100, LeadWeeks: 1}
	p := plan.Select(hub, cands, 1, settings)
	if got := skus(p); !reflect.DeepEqual(got, []string{"steady-a", "steady-b"}) || p.SlotsUsed != 90 {
		t.Errorf("plan %v using %d slots, want [steady-a steady-b] using 90", got, p.SlotsUsed)
	}
	hub.ShelfSlots = 0
	hub.MaxSKUs = 1
	if got := skus(plan.Select(hub, cands, 1, settings)); !reflect.DeepEqual(got, []string{"big"}) {
		t.Errorf("one SKU, unbounded slots: %v, want [big]", got)
	}
}

func TestSelectRespectsCapacityAndIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var cands []plan.Candidate
	for i := range 40 {
		cands = append(cands, plan.Candidate{SKU: string(rune('A'+i%26)) + string(rune('a'+i/26)), WeeklyDemand: float64(1 + rng.IntN(30)), WeeklySigma: rng.Float64() * 6, OrdersPerUnit: 0.5 + rng.Float64()/2})
	}
	for _, hub := range []plan.Hub{
		{ID: "slots", Region: "EU", ShelfSlots: 150, LeadWeeks: 1},
		{ID: "skus", Region: "EU", MaxSKUs: 6, LeadWeeks: 2},
		{ID: "both", Region: "EU", MaxSKUs: 4, ShelfSlots: 90, LeadWeeks: 1.5},
	} {
		p := plan.Select(hub, cands, 48, settings)
		slots := 0
		for _, it := range p.Items {
			slots += it.TargetUnits
		}
		if slots != p.SlotsUsed || (hub.ShelfSlots > 0 && slots > hub.ShelfSlots) || (hub.MaxSKUs > 0 && len(p.Items) > hub.MaxSKUs) || len(p.Items) == 0 {
			t.Errorf("%s: %d SKUs using %d (reported %d) slots; capacity %d SKUs, %d slots", hub.ID, len(p.Items), slots, p.SlotsUsed, hub.MaxSKUs, hub.ShelfSlots)
		}
		for range 5 {
			shuffled := append([]plan.Candidate(nil), cands...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if again := plan.Select(hub, shuffled, 48, settings); !reflect.DeepEqual(again, p) {
				t.Fatalf("%s: shuffled candidates give %v, first run %v", hub.ID, skus(again), skus(p))
			}
		}
	}
}

func TestMoves(t *testing.T) {
	cands := []plan.Candidate{{SKU: "a", WeeklyDemand: 10}, {SKU: "b", WeeklyDemand: 30}, {SKU: "c", WeeklyDemand: 20}}
	fresh := plan.Select(plan.Hub{ID: "new", Region: "EU", LeadWeeks: 1}, cands, 10, plan.Settings{ServiceLevel: 0.95, StarterSKUs: 2})
	if got := moveSKUs(fresh); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("new hub moves %v, want its two fastest sellers [b c]", got)
	}
	held := plan.Select(plan.Hub{ID: "old", Region: "EU", LeadWeeks: 1, Stocked: []string{"b"}}, cands, 10, plan.Settings{ServiceLevel: 0.95, StarterSKUs: 1})
	if got := moveSKUs(held); !reflect.DeepEqual(got, []string{"c", "a"}) {
		t.Errorf("hub holding b moves %v, want [c a]", got)
	}
	if p := plan.Select(plan.Hub{ID: "slow", Region: "EU"}, cands, 0, settings); len(p.Items) != 0 {
		t.Errorf("a hub that saves no hours is stocked with %v", skus(p))
	}
}

func moveSKUs(p plan.Plan) []string {
	var out []string
	for _, it := range p.Move {
		out = append(out, it.SKU)
	}
	return out
}

type table struct{ hub, fallback float64 }

func (t table) HubHours(hub, _, region string) (float64, bool) { return t.hub, region == "EU" }
func (t table) FallbackHours(_, _ string) (float64, bool)      { return t.fallback, true }

// Replay: the hub ships while it has every unit on hand, reorders up to
// target at the reorder point, and receives the lead time later.
func TestReplay(t *testing.T) {
	day := func(d float64) time.Time {
		return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(d * 24 * float64(time.Hour)))
	}
	order := func(id string, d float64, region string, units map[string]int) demand.Order {
		return demand.Order{ID: id, Time: day(d), Country: "DE", Region: region, Units: units}
	}
	orders := []demand.Order{
		order("1", 0, "EU", map[string]int{"mug": 1}),           // 3 → 2
		order("2", 1, "EU", map[string]int{"mug": 1}),           // 2 → 1: at ROP, 2 ordered, due day 8
		order("3", 2, "EU", map[string]int{"mug": 2}),           // only 1 on hand: stock-out, fallback
		order("4", 3, "US", map[string]int{"mug": 1}),           // another region: not counted
		order("5", 4, "EU", map[string]int{"mug": 1, "cap": 1}), // cap not held: fallback
		order("6", 9, "EU", map[string]int{"mug": 2}),           // after the arrival: 3 on hand
	}
	hub := plan.Hub{ID: "h", Region: "EU", LeadWeeks: 1}
	held := []plan.Item{{Candidate: plan.Candidate{SKU: "mug"}, Levels: plan.Levels{ReorderUnits: 1, TargetUnits: 3}}}
	got := plan.Replay(orders, hub, held, table{hub: 48, fallback: 96})
	want := plan.Outcome{Orders: 5, InRegion: 3, Share: 0.6, TotalHours: 3*48 + 2*96, MeanHours: (3*48 + 2*96) / 5.0, StockOuts: 1}
	if got != want {
		t.Errorf("Replay = %+v\nwant     %+v", got, want)
	}
	if saved := plan.SavedPerOrder(orders, hub, table{hub: 48, fallback: 96}); saved != 48 {
		t.Errorf("SavedPerOrder = %v, want 48", saved)
	}
}
