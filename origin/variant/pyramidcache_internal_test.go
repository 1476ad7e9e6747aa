package variant

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

// TestLevelCacheBudget: levels are evicted least recently used first to
// stay within the byte budget, a level over the budget is not kept, and a
// purge drops a SKU's levels; the gauge follows.
func TestLevelCacheBudget(t *testing.T) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "g"})
	c := newLevelCache(100, g)
	c.add("pyramids/a/front/x/512.jpg", make([]byte, 40))
	c.add("pyramids/b/front/x/512.jpg", make([]byte, 40))
	c.get("pyramids/a/front/x/512.jpg") // a is now the most recent
	c.add("pyramids/c/front/x/512.jpg", make([]byte, 40))
	if _, ok := c.get("pyramids/b/front/x/512.jpg"); ok {
		t.Error("the least recently used level was kept over the budget")
	}
	if _, ok := c.get("pyramids/a/front/x/512.jpg"); !ok {
		t.Error("a recently used level was evicted")
	}
	c.add("pyramids/d/front/x/2048.jpg", make([]byte, 101))
	if _, ok := c.get("pyramids/d/front/x/2048.jpg"); ok || c.size() != 80 || gaugeValue(t, g) != 80 {
		t.Errorf("after an oversized level: %d bytes held, gauge %v, want 80", c.size(), gaugeValue(t, g))
	}
	c.dropPrefix("pyramids/a/")
	if _, ok := c.get("pyramids/a/front/x/512.jpg"); ok || c.size() != 40 || gaugeValue(t, g) != 40 {
		t.Errorf("after a purge: %d bytes held, gauge %v, want 40", c.size(), gaugeValue(t, g))
	}
}
