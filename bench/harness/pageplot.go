package harness

// pageCDF draws the page-complete time CDF, one line per layout.
func (p *plotSet) pageCDF(r *Results) error {
	lines := make([]cdfLine, 0, len(r.PageRuns))
	for _, x := range r.PageRuns {
		lines = append(lines, cdfLine{name: x.Layout, points: x.PageCDF})
	}
	return p.cdf(lines, "page-complete-cdf.png", "Page-complete time CDF (last image of the page, from its scheduled time)",
		"page-complete time (ms, log)", "fraction of page views")
}
