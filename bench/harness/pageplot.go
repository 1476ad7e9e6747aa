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
	m, names := layoutSeries(r, func(x *PageRunResult) plotter.XYs {
		var xys plotter.XYs
		for _, pt := range x.RateCurve {
			xys = append(xys, plotter.XY{X: pt.PageRate, Y: max(pt.PageP99, 0.01)})
		}
		sort.Slice(xys, func(i, j int) bool { return xys[i].X < xys[j].X })
		return xys
	})
	if len(names) == 0 {
		return nil
	}
	return p.lines("Page-complete p99 vs offered page rate", "page views per second (log)", "page-complete p99 (ms)", "page-p99-vs-rate.png", true, m, names)
}

// pageHitVsBudget draws each L1 layout's recorded trace replayed at
// other budgets.
func (p *plotSet) pageHitVsBudget(r *Results) error {
	m, names := layoutSeries(r, func(x *PageRunResult) plotter.XYs {
		var xys plotter.XYs
		for _, pt := range x.BudgetCurve {
			xys = append(xys, plotter.XY{X: float64(pt.L1Bytes) / (1 << 20), Y: pt.HitRatio})
		}
		return xys
	})
	if len(names) == 0 {
		return nil
	}
	return p.lines("L1 hit ratio vs L1 budget (each layout's recorded requests replayed)", "L1 budget (MiB, log)", "L1 hit ratio of requests reaching the origin",
		"l1-hit-vs-budget.png", true, m, names)
}

// layoutSeries is one line per layout whose series has at least two
// points; a single point draws no line.
func layoutSeries(r *Results, series func(*PageRunResult) plotter.XYs) (map[string]plotter.XYs, []string) {
	m := map[string]plotter.XYs{}
	var names []string
	for _, x := range r.PageRuns {
		if xys := series(x); len(xys) >= 2 {
			m[x.Layout] = xys
			names = append(names, x.Layout)
		}
	}
	return m, names
}
