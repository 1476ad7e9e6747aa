package harness

import (
	"fmt"
	"strings"
)

// PageReport is report.md for the page-views scenario.
func PageReport(r *Results, plots []string) string {
	var b strings.Builder
	o := r.Options
	fmt.Fprintf(&b, "# edgeshelf regional-cache benchmark: product-page views\n\n")
	fmt.Fprintf(&b, "Started %s, took %s. Host: %d CPUs, %s/%s, %s.\n\n", r.Started.Format("2006-01-02 15:04:05 UTC"),
		r.Finished.Sub(r.Started).Round(1e9), r.Host.CPUs, r.Host.GOOS, r.Host.GOARCH, r.Host.GoVersion)
	if r.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", r.Command)
	}
	fmt.Fprintf(&b, "Store %s, %d SKUs on sale (Zipf s=%g, seed %d), locales %s; S3 %s ± %s per store call. "+
		"Each layout is warmed until two consecutive warm-up windows' hit ratios differ by less than the steady delta, then measured open loop "+
		"(page-complete time counts from the page's scheduled time; request time from when its fetch started).\n\n",
		o.Store, o.SKUs, o.ZipfS, o.Seed, strings.Join(o.Locales, ","), o.S3Latency, o.S3Jitter)
	b.WriteString("## Topologies\n\n```\n")
	for _, x := range r.PageRuns {
		fmt.Fprintf(&b, "%-12s %s\n", x.Layout, x.Topology)
	}
	b.WriteString("```\n\n## Page-complete and request latency\n\n")
	b.WriteString("| layout | pages/s (of capacity) | capacity | settled | warm-up req | pages | requests | errors | img/page | page p50 ms | page p99 ms | req p50 ms | req p99 ms | req p99.9 ms |\n" +
		"|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.PageRuns {
		fmt.Fprintf(&b, "| %s | %s | %s | %v | %d | %d | %d | %d | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
			x.Layout, rateCell(x), capacityCell(x.Capacity), x.Settled, x.WarmRequests, x.Pages, x.Requests, x.Errors+x.PagesDropped, x.ImagesPerPage,
			x.PageLatency.P50, x.PageLatency.P99, x.RequestLatency.P50, x.RequestLatency.P99, x.RequestLatency.P999)
	}
	b.WriteString("\n## Where responses came from\n\n| layout | regional (nginx HIT) | l1 | l2 | render | hit ratio | edge requests | origin requests | renders / 1k | S3 requests / 1k |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.PageRuns {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %d | %d | %.1f | %.1f |\n", x.Layout, x.HitRatio["regional"], x.HitRatio["l1"],
			x.HitRatio["l2"], x.HitRatio["render"], x.CacheHitRatio, x.EdgeRequests, x.OriginRequests, x.RendersPer1k, x.S3Per1k)
	}
	writeRateCurves(&b, r.PageRuns)
	writeBudgetCurves(&b, r.PageRuns)
	writeCost(&b, r)
	writeRecommendation(&b, r.PageRuns)
	for _, p := range plots {
		fmt.Fprintf(&b, "\n![%s](%s)\n", p, p)
	}
	return b.String()
}

func writeCost(b *strings.Builder, r *Results) {
	p := DefaultPrices
	if r.Prices != nil {
		p = *r.Prices
	}
	fmt.Fprintf(b, "\n## Cost per million page views\n\nPrices (%s): S3 GET $%g/1k, PUT $%g/1k, egress $%g/GB, CPU $%g/vCPU-s. "+
		"Egress is what the origin served (what crossed region → origin); CPU is the harness process (origin + load generator; nginx and versitygw excluded).\n\n",
		p.Note, p.S3GetPer1k, p.S3PutPer1k, p.EgressPerGB, p.CPUPerVCPUSec)
	b.WriteString("| layout | S3 GETs | S3 PUTs | egress GB | CPU s | USD |\n|---|---:|---:|---:|---:|---:|\n")
	for _, x := range r.PageRuns {
		c := x.Cost
		fmt.Fprintf(b, "| %s | %.0f | %.0f | %.2f | %.0f | %.2f |\n", x.Layout, c.S3Gets, c.S3Puts, c.EgressGB, c.CPUSeconds, c.USD)
	}
}

// Recommend picks the cheapest layout whose page p99 is within 10 % of the
// best page p99 measured; nil without error-free runs.
func Recommend(runs []*PageRunResult) *PageRunResult {
	best := -1.0
	for _, x := range runs {
		if x.Errors == 0 && x.PagesOK > 0 && (best < 0 || x.PageLatency.P99 < best) {
			best = x.PageLatency.P99
		}
	}
	var pick *PageRunResult
	for _, x := range runs {
		if x.Errors != 0 || x.PagesOK == 0 || x.PageLatency.P99 > 1.1*best {
			continue
		}
		if pick == nil || x.Cost.USD < pick.Cost.USD {
			pick = x
		}
	}
	return pick
}

func writeRecommendation(b *strings.Builder, runs []*PageRunResult) {
	b.WriteString("\n## Recommendation\n\n")
	if len(runs) == 1 && runs[0].Layout == externalLayout {
		b.WriteString("An external origin (--url): its layout, store traffic and CPU are not seen from here, so no cost and no recommendation.\n")
		return
	}
	x := Recommend(runs)
	if x == nil {
		b.WriteString("No layout ran without errors: no recommendation.\n")
		return
	}
	budget := "no L1"
	if x.L1Bytes > 0 {
		budget = "L1 budget " + bytesStr(x.L1Bytes)
	}
	regional := "without a regional cache"
	if x.Regional {
		regional = "behind a regional nginx cache"
	}
	fmt.Fprintf(b, "**%s** (%s, %s): expected page p99 %.1f ms, cost $%.2f per million page views — "+
		"the cheapest layout whose page p99 is within 10 %% of the best measured.\n", x.Layout, budget, regional, x.PageLatency.P99, x.Cost.USD)
	writeSizing(b, x)
}

// writeSizing is the L1 budget line of the recommendation, from the
// layout's replayed traffic.
func writeSizing(b *strings.Builder, x *PageRunResult) {
	c := x.BudgetCurve
	if len(c) == 0 {
		return
	}
	if c[len(c)-1].HitRatio < 0.005 {
		fmt.Fprintf(b, "\nSizing: its L1 answered no request, live or replayed at any budget from %s to %s: behind one regional cache the origin "+
			"sees each variant's first request only. There the L1 is insurance for when the regional cache is cold, purged or bypassed; "+
			"size it from the layout without one (the table above).\n", bytesStr(c[0].L1Bytes), bytesStr(c[len(c)-1].L1Bytes))
		return
	}
	fmt.Fprintf(b, "\nSizing: replaying its traffic, an L1 of %s reaches within 0.02 of the hit ratio of %s (the table above); "+
		"more memory than that buys little on this catalog and traffic.\n", bytesStr(enoughBudget(x)), bytesStr(c[len(c)-1].L1Bytes))
}

// rateCell is the measured page rate and its share of the probed
// capacity; "pinned" when --page-rates set it.
func rateCell(x *PageRunResult) string {
	s := fmt.Sprintf("%.1f", x.PageRate)
	if x.Capacity > 0 {
		s += fmt.Sprintf(" (%.0f %%)", 100*x.PageRate/x.Capacity)
	}
	if x.RatePinned {
		s += " pinned"
	}
	return s
}

// capacityCell is the probed capacity, or "not probed" when --page-rate
// set the rate and no probe ran.
func capacityCell(c float64) string {
	if c <= 0 {
		return "not probed"
	}
	return fmt.Sprintf("%.1f", c)
}
