package plan

import "math"

// NormalQuantile is z such that P(Z ≤ z) = p for a standard normal Z:
// √2·erf⁻¹(2p − 1). NormalQuantile(0.95) ≈ 1.645.
func NormalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// Levels are one SKU's stock levels at a hub, in units. The unrounded
// values follow the textbook formulas for normally distributed weekly
// demand (mean d, standard deviation σ, independent weeks), lead time L
// and review period R, both in weeks, and z for the service level:
//
//	safety stock   SS  = z·σ·√L
//	reorder point  ROP = d·L + SS
//	target stock   S   = d·(L+R) + z·σ·√(L+R)   (order up to S; R = 0: S = ROP)
//
// The whole-unit fields are rounded up: a shelf holds whole units, and
// rounding down would fall short of the service level.
type Levels struct {
	SafetyStock  float64 `json:"safety_stock"`
	ReorderPoint float64 `json:"reorder_point"`
	TargetStock  float64 `json:"target_stock"`
	SafetyUnits  int     `json:"safety_units"`
	ReorderUnits int     `json:"reorder_units"`
	TargetUnits  int     `json:"target_units"`
}

// StockLevels computes a SKU's levels for a service level (the probability
// that stock on hand covers demand until a replenishment arrives).
func StockLevels(weeklyDemand, weeklySigma, leadWeeks, reviewWeeks, serviceLevel float64) Levels {
	z := NormalQuantile(serviceLevel)
	d, s := max(weeklyDemand, 0), max(weeklySigma, 0)
	l, r := max(leadWeeks, 0), max(reviewWeeks, 0)
	lv := Levels{SafetyStock: z * s * math.Sqrt(l)}
	lv.ReorderPoint = d*l + lv.SafetyStock
	lv.TargetStock = d*(l+r) + z*s*math.Sqrt(l+r)
	lv.SafetyUnits = roundUp(lv.SafetyStock)
	lv.ReorderUnits = roundUp(lv.ReorderPoint)
	lv.TargetUnits = max(roundUp(lv.TargetStock), lv.ReorderUnits)
	return lv
}

// roundUp rounds up to whole units, ignoring float noise below 10⁻⁹ (so
// 1.645·2·√4 = 6.58 is 7, but 3·2 = 6.000000000001 is 6).
func roundUp(x float64) int {
	if x <= 0 {
		return 0
	}
	return int(math.Ceil(x - 1e-9))
}
