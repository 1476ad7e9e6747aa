package harness

import (
	"math"
	"testing"
)

func TestDeviceImagesFollowThePresets(t *testing.T) {
	views := []string{"front", "back", "side"}
	mobile, desktop := deviceImages("mobile", views), deviceImages("desktop", views)
	if len(mobile) != 4 || mobile[0].Preset != "pdp" || mobile[1].Preset != "thumb" {
		t.Errorf("mobile page %v, want pdp + 3 thumbs", mobile)
	}
	if len(desktop) != 4 || desktop[1].Preset != "card" || desktop[1].View != "back" || desktop[3].Preset != "zoom" {
		t.Errorf("desktop page %v, want pdp + cards of back and side + zoom", desktop)
	}
}

func TestPageGenChurnsNewSKUsToTheTop(t *testing.T) {
	c := &Catalog{}
	for i := range 30 {
		c.SKUs = append(c.SKUs, SKU{ID: string(rune('a' + i)), Views: []string{"front"}})
	}
	g := newPageGen(c, 10, nil, PageOptions{DayPages: 5, ChurnSKUs: 3}, 1, 1)
	day0 := g.sku(0).ID
	for range 5 {
		g.next("", "")
	}
	if g.day() != 1 || g.sku(0).ID == day0 || g.sku(3).ID != day0 {
		t.Errorf("day %d: top SKU %v, 4th %v; want day 1 with 3 new SKUs above day 0's top %v", g.day(), g.sku(0), g.sku(3), day0)
	}
	g.n = 1000 // past the catalog's end: churn stops at the last SKUs
	if g.sku(0).ID != g.skus[len(g.skus)-1].ID {
		t.Errorf("after the catalog ran out the top SKU is %v, want the newest %v", g.sku(0), g.skus[len(g.skus)-1])
	}
}

func TestCostPerMillionAndRecommendation(t *testing.T) {
	c := costPerMillion(DefaultPrices, 1000, 2000, 100, 5e9, 30)
	want := 2e6/1000*0.0004 + 1e5/1000*0.005 + 5000*0.09 + 30000*0.0000133
	if math.Abs(c.USD-want) > 1e-9 || c.S3Gets != 2e6 || c.EgressGB != 5000 {
		t.Errorf("cost %+v, want $%v with 2e6 GETs and 5000 GB", c, want)
	}
	runs := []*PageRunResult{
		{Layout: "fast-dear", PagesOK: 1, PageLatency: Latency{P99: 100}, Cost: Cost{USD: 9}},
		{Layout: "close-cheap", PagesOK: 1, PageLatency: Latency{P99: 108}, Cost: Cost{USD: 3}},
		{Layout: "slow-cheapest", PagesOK: 1, PageLatency: Latency{P99: 200}, Cost: Cost{USD: 1}},
		{Layout: "broken", PagesOK: 1, Errors: 1, PageLatency: Latency{P99: 10}, Cost: Cost{USD: 0}},
	}
	if got := Recommend(runs); got == nil || got.Layout != "close-cheap" {
		t.Errorf("recommended %v, want close-cheap (cheapest within 10 %% of the best p99, errors excluded)", got)
	}
}

// TestSteadyRate: the measured rate is the series step at or under 70 % of
// the probe, so nearby probes give the same traffic.
func TestSteadyRate(t *testing.T) {
	for _, c := range []struct{ capacity, want float64 }{
		{0, 0.5}, {0.5, 0.5}, {1, 0.7}, {2.2, 1.5}, {7.3, 5}, {9.5, 5}, {10.1, 7}, {22.4, 15}, {22.9, 15}, {29, 20}, {100, 70}, {143, 100},
	} {
		if got := steadyRate(c.capacity); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("steadyRate(%g) = %g, want %g", c.capacity, got, c.want)
		}
	}
}
