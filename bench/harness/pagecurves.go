package harness

import (
	"fmt"
	"strings"
)

// writeRateCurves is the table behind the page p99 vs rate plot.
func writeRateCurves(b *strings.Builder, runs []*PageRunResult) {
	var any bool
	for _, x := range runs {
		any = any || len(x.RateCurve) > 0
	}
	if !any {
		return
	}
	b.WriteString("\n## Page-complete time vs offered rate\n\nThe measured phase, then short open-loop runs at other fractions of the layout's probed capacity (after it, so they cannot change what was measured).\n\n" +
		"| layout | of capacity | pages/s | pages | errors | page p50 ms | page p99 ms | req p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range runs {
		for _, p := range x.RateCurve {
			name := x.Layout
			if p.Measured {
				name += " (measured)"
			}
			fmt.Fprintf(b, "| %s | %.0f %% | %.1f | %d | %d | %.1f | %.1f | %.1f |\n", name, 100*p.Fraction, p.PageRate, p.Pages, p.Errors, p.PageP50, p.PageP99, p.ReqP99)
		}
	}
}

// writeBudgetCurves is the table behind the hit ratio vs L1 budget plot:
// each L1 layout's requests that reached the origin, warm-up included,
// replayed through its policy at other budgets, beside the measured ratio.
func writeBudgetCurves(b *strings.Builder, runs []*PageRunResult) {
	header := false
	for _, x := range runs {
		if len(x.BudgetCurve) == 0 {
			continue
		}
		if !header {
			header = true
			b.WriteString("\n## L1 hit ratio vs budget\n\nEach L1 layout's requests that reached the origin (warm-up included, uncounted) replayed through its L1 policy " +
				"at other budgets (bench/sim); the measured column is the live L1's hit ratio over the same requests. Sizes are body bytes plus ~200 bytes of entry overhead.\n\n" +
				"| layout | policy | measured |")
			for _, p := range x.BudgetCurve {
				fmt.Fprintf(b, " %s |", bytesStr(p.L1Bytes))
			}
			b.WriteString("\n|---|---|---:|" + strings.Repeat("---:|", len(x.BudgetCurve)) + "\n")
		}
		fmt.Fprintf(b, "| %s | %s | %.3f |", x.Layout, x.L1Policy, measuredL1Hit(x))
		for _, p := range x.BudgetCurve {
			fmt.Fprintf(b, " %.3f |", p.HitRatio)
		}
		b.WriteString("\n")
	}
}

// measuredL1Hit is the L1's hit ratio over the requests that reached the
// origin in the measured phase.
func measuredL1Hit(x *PageRunResult) float64 {
	return ratio(x.Tiers["l1"], x.OK-x.Tiers["regional"])
}

// enoughBudget is the smallest replayed budget whose hit ratio is within
// 0.02 of the largest one's: where more memory stops paying; 0 without a
// curve.
func enoughBudget(x *PageRunResult) int64 {
	c := x.BudgetCurve
	if len(c) == 0 {
		return 0
	}
	top := c[len(c)-1].HitRatio
	for _, p := range c {
		if p.HitRatio >= top-0.02 {
			return p.L1Bytes
		}
	}
	return c[len(c)-1].L1Bytes
}

// per1k is n per 1,000 of total; 0 when total is.
func per1k(n, total int64) float64 {
	return 1000 * ratio(n, total)
}
