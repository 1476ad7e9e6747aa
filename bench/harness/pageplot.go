package harness

import (
	"sort"

	"gonum.org/v1/plot/plotter"
)

// pageCDF draws the page-complete time CDF, one line per layout.
func (p *plotSet) pageCDF(r *Results) error {
	lines := make([]cdfLine, 0, len(r.PageRuns))
	for _, x := range r.PageRuns {
		lines = append(lines, cdfLine{name: x.Layout, points: x.PageCDF})
	}
	return p.cdf(lines, "page-complete-cdf.png", "Page-complete time CDF (last image of the page, from its scheduled time)",
		"page-complete time (ms, log)", "fraction of page views")
}

// pageP99VsRate draws each layout's page p99 over its rate curve.
func (p *plotSet) pageP99VsRate(r *Results) error {
	m := map[string]plotter.XYs{}
	var names []string
	for _, x := range r.PageRuns {
		if len(x.RateCurve) < 2 {
			continue
		}
		names = append(names, x.Layout)
		for _, pt := range x.RateCurve {
			m[x.Layout] = append(m[x.Layout], plotter.XY{X: pt.PageRate, Y: max(pt.PageP99, 0.01)})
		}
		sort.Slice(m[x.Layout], func(i, j int) bool { return m[x.Layout][i].X < m[x.Layout][j].X })
	}
	if len(names) == 0 {
		return nil
	}
	return p.lines("Page-complete p99 vs offered page rate", "page views per second (log)", "page-complete p99 (ms)", "page-p99-vs-rate.png", true, m, names)
}

// pageHitVsBudget draws each L1 layout's recorded trace replayed at
// other budgets.
func (p *plotSet) pageHitVsBudget(r *Results) error {
	m := map[string]plotter.XYs{}
	var names []string
	for _, x := range r.PageRuns {
		if len(x.BudgetCurve) < 2 {
			continue
		}
		names = append(names, x.Layout)
		for _, pt := range x.BudgetCurve {
			m[x.Layout] = append(m[x.Layout], plotter.XY{X: float64(pt.L1Bytes) / (1 << 20), Y: pt.HitRatio})
		}
	}
	if len(names) == 0 {
		return nil
	}
	return p.lines("L1 hit ratio vs L1 budget (each layout's recorded requests replayed)", "L1 budget (MiB, log)", "L1 hit ratio of requests reaching the origin",
		"l1-hit-vs-budget.png", true, m, names)
}
