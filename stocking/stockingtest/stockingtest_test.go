package stockingtest_test

import (
	"reflect"
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// The generated year is what tests and demos rely on: the same for a seed,
// another for another seed, and with the features the issue lists.
func TestGenerate(t *testing.T) {
	h := stockingtest.Generate(1, 52)
	if !reflect.DeepEqual(h, stockingtest.Generate(1, 52)) {
		t.Fatal("the same seed generated two histories")
	}
	if reflect.DeepEqual(h.Lines, stockingtest.Generate(2, 52).Lines) {
		t.Fatal("two seeds generated one history")
	}
	series := map[string][]float64{}
	for _, s := range demand.Aggregate(h.Lines, h.Start, h.Now) {
		series[s.Region+"/"+s.SKU] = s.Units
	}
	eu := series["EU/amber-oud-50ml"]
	if spike := eu[stockingtest.SpikeWeek]; spike < 2*eu[stockingtest.SpikeWeek-1] || spike < 2*eu[stockingtest.SpikeWeek+1] {
		t.Errorf("event week sold %v, neighbours %v and %v: no spike", spike, eu[stockingtest.SpikeWeek-1], eu[stockingtest.SpikeWeek+1])
	}
	tee := series[stockingtest.TrendRegion+"/"+stockingtest.TrendSKU]
	if first, last := sum(tee[:8]), sum(tee[44:]); last < 3*first {
		t.Errorf("trend SKU sold %v in the first 8 weeks and %v in the last 8", first, last)
	}
	rose := series["EU/rose-absolute-30ml"]
	if peak, trough := sum(rose[8:14]), sum(rose[34:40]); peak < 2*trough {
		t.Errorf("seasonal SKU: %v around its peak, %v around its trough", peak, trough)
	}
	zeros := 0
	for _, u := range series["EU/label-polo"] {
		if u == 0 {
			zeros++
		}
	}
	if zeros < 26 {
		t.Errorf("intermittent SKU has %d weeks without demand of 52", zeros)
	}
	if len(h.Mean["EU/amber-oud-50ml"]) != 52 || h.Mean["EU/amber-oud-50ml"][stockingtest.SpikeWeek] != 30*stockingtest.SpikeUplift {
		t.Errorf("true mean of the spike week = %v", h.Mean["EU/amber-oud-50ml"])
	}
	multi := map[string]int{}
	for _, l := range h.Lines {
		multi[l.OrderID]++
	}
	baskets := 0
	for _, n := range multi {
		if n > 1 {
			baskets++
		}
	}
	if baskets == 0 || baskets > len(multi)/4 {
		t.Errorf("%d of %d orders have several lines", baskets, len(multi))
	}
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
