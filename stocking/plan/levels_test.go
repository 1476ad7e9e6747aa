package plan_test

import (
	"math"
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking/plan"
)

func TestNormalQuantile(t *testing.T) {
	for _, c := range []struct{ p, z float64 }{{0.5, 0}, {0.9, 1.282}, {0.95, 1.645}, {0.975, 1.960}, {0.99, 2.326}} {
		if got := plan.NormalQuantile(c.p); math.Abs(got-c.z) > 0.0005 {
			t.Errorf("z(%v) = %.4f, want %.3f", c.p, got, c.z)
		}
	}
}

// TestStockLevelsTextbook: normal weekly demand (mean d, σ), lead time L
// and review period R in weeks: SS = z·σ·√L, ROP = d·L + SS, target
// S = d·(L+R) + z·σ·√(L+R); whole units rounded up.
func TestStockLevelsTextbook(t *testing.T) {
	for _, c := range []struct {
		name                     string
		d, sigma, lead, review   float64
		service                  float64
		ss, rop, target          float64
		ssUnits, ropUnits, units int
	}{
		// z(0.95) = 1.6449: SS = 1.6449·4·1 = 6.58; ROP = 10 + 6.58.
		{"95 %, L=1, R=0", 10, 4, 1, 0, 0.95, 6.5794, 16.5794, 16.5794, 7, 17, 17},
		// SS = 1.6449·5·√4 = 16.45; ROP = 80 + 16.45; S = 100 + 1.6449·5·√5 = 118.39.
		{"95 %, L=4, R=1", 20, 5, 4, 1, 0.95, 16.4485, 96.4485, 118.3904, 17, 97, 119},
		// z(0.99) = 2.3263: SS = 2.3263·10·√2 = 32.90; S = 150 + 2.3263·10·√3 = 190.29.
		{"99 %, L=2, R=1", 50, 10, 2, 1, 0.99, 32.8995, 132.8995, 190.2935, 33, 133, 191},
		// z(0.5) = 0: no safety stock, ROP is the lead-time demand.
		{"50 %, L=3, R=1", 8, 3, 3, 1, 0.5, 0, 24, 32, 0, 24, 32},
		// z(0.9) = 1.2816: SS = 1.2816·2·√0.5 = 1.81.
		{"90 %, half-week lead", 6, 2, 0.5, 1, 0.9, 1.8124, 4.8124, 12.1393, 2, 5, 13},
		// No demand, no stock.
		{"no demand", 0, 0, 2, 1, 0.95, 0, 0, 0, 0, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			lv := plan.StockLevels(c.d, c.sigma, c.lead, c.review, c.service)
			for _, f := range []struct {
				what      string
				got, want float64
			}{{"SS", lv.SafetyStock, c.ss}, {"ROP", lv.ReorderPoint, c.rop}, {"target", lv.TargetStock, c.target}} {
				if math.Abs(f.got-f.want) > 0.0005 {
					t.Errorf("%s = %.4f, want %.4f", f.what, f.got, f.want)
				}
			}
			if lv.SafetyUnits != c.ssUnits || lv.ReorderUnits != c.ropUnits || lv.TargetUnits != c.units {
				t.Errorf("units SS/ROP/target = %d/%d/%d, want %d/%d/%d", lv.SafetyUnits, lv.ReorderUnits, lv.TargetUnits, c.ssUnits, c.ropUnits, c.units)
			}
		})
	}
	// Exact products are not rounded up by float noise: 3·2 is 6 units.
	if lv := plan.StockLevels(3, 0, 2, 0, 0.95); lv.ReorderUnits != 6 {
		t.Errorf("ROP of 3 a week over 2 weeks = %d units, want 6", lv.ReorderUnits)
	}
}
