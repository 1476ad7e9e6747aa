package harness

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"
)

// Reproducibility bounds between two runs of the same command (issue #19):
// hit ratios within ±0.02, page p50 within ±10 %, page p99 within ±20 %.
const (
	reproHit = 0.02
	reproP50 = 0.10
	reproP99 = 0.20
)

// ReproCheck is one layout in two runs of the same command.
type ReproCheck struct {
	Layout              string
	HitA, HitB          float64
	P50A, P50B          float64
	P99A, P99B          float64
	HitOK, P50OK, P99OK bool
}

// OK reports whether every bound held.
func (c ReproCheck) OK() bool { return c.HitOK && c.P50OK && c.P99OK }

// Reproducibility checks the layouts two page-views results share.
func Reproducibility(a, b *Results) []ReproCheck {
	var out []ReproCheck
	for _, x := range a.PageRuns {
		y := findPageRun(b, x.Layout)
		if y == nil {
			continue
		}
		c := ReproCheck{Layout: x.Layout, HitA: x.CacheHitRatio, HitB: y.CacheHitRatio,
			P50A: x.PageLatency.P50, P50B: y.PageLatency.P50, P99A: x.PageLatency.P99, P99B: y.PageLatency.P99}
		c.HitOK = math.Abs(c.HitB-c.HitA) <= reproHit
		c.P50OK = within(c.P50A, c.P50B, reproP50)
		c.P99OK = within(c.P99A, c.P99B, reproP99)
		out = append(out, c)
	}
	return out
}

// within reports whether b is within ±frac of a.
func within(a, b, frac float64) bool {
	return a > 0 && math.Abs(b/a-1) <= frac
}

func findPageRun(r *Results, layout string) *PageRunResult {
	for _, x := range r.PageRuns {
		if x.Layout == layout {
			return x
		}
	}
	return nil
}

// readResults reads one results.json.
func readResults(p string) (*Results, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &r, nil
}

// PageSummary reads page-views results files (the committed reports) and
// writes summary.md and its plots into dir: every layout's figures per
// catalog size and run, the reproducibility of runs of the same command,
// and cost and page p99 vs catalog size. It returns summary.md's path.
func PageSummary(dir string, paths []string) (string, error) {
	var runs []*Results
	for _, p := range paths {
		r, err := readResults(p)
		if err != nil {
			return "", err
		}
		if len(r.PageRuns) == 0 {
			return "", fmt.Errorf("%s: not a page-views run (no page_runs)", p)
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return "", fmt.Errorf("no results files given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ps := &plotSet{dir: dir}
	if err := ps.vsCatalog(runs); err != nil {
		return "", fmt.Errorf("plots: %w", err)
	}
	out := filepath.Join(dir, "summary.md")
	return out, os.WriteFile(out, []byte(summaryText(runs, paths, ps.files)), 0o644)
}

func summaryText(runs []*Results, paths []string, plots []string) string {
	var b strings.Builder
	b.WriteString("# edgeshelf regional-cache benchmark: summary of the committed runs\n\n| run | SKUs | started | took | command |\n|---|---:|---|---|---|\n")
	for i, r := range runs {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | `%s` |\n", filepath.Base(filepath.Dir(paths[i])), r.Options.SKUs, r.Started.Format("2006-01-02 15:04"),
			r.Finished.Sub(r.Started).Round(1e9), r.Command)
	}
	b.WriteString("\n## Every layout, every run\n\n| SKUs | layout | run | pages/s | page p50 ms | page p99 ms | hit ratio | regional | l1 | l2 | renders / 1k | S3 requests / 1k | USD / M pages |\n" +
		"|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, r := range runs {
		for _, x := range r.PageRuns {
			fmt.Fprintf(&b, "| %d | %s | %s | %.1f | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.2f |\n", r.Options.SKUs, x.Layout,
				filepath.Base(filepath.Dir(paths[i])), x.PageRate, x.PageLatency.P50, x.PageLatency.P99, x.CacheHitRatio,
				x.HitRatio["regional"], x.HitRatio["l1"], x.HitRatio["l2"], x.RendersPer1k, x.S3Per1k, x.Cost.USD)
		}
	}
	writeRepro(&b, runs, paths)
	for _, p := range plots {
		fmt.Fprintf(&b, "\n![%s](%s)\n", p, p)
	}
	return b.String()
}

// writeRepro checks each run against the first earlier run of the same
// command.
func writeRepro(b *strings.Builder, runs []*Results, paths []string) {
	fmt.Fprintf(b, "\n## Reproducibility\n\nEach run against the first run of the same command: hit ratio within ±%.2f, page p50 within ±%.0f %%, page p99 within ±%.0f %%.\n\n",
		reproHit, 100*reproP50, 100*reproP99)
	b.WriteString("| SKUs | layout | runs | hit ratio | page p50 ms | page p99 ms | verdict |\n|---:|---|---|---|---|---|---|\n")
	first := map[string]int{}
	pairs, failed := 0, 0
	for i, r := range runs {
		j, seen := first[r.Command]
		if !seen {
			first[r.Command] = i
			continue
		}
		for _, c := range Reproducibility(runs[j], r) {
			pairs++
			if !c.OK() {
				failed++
			}
			fmt.Fprintf(b, "| %d | %s | %s vs %s | %.3f / %.3f %s | %.1f / %.1f %s | %.1f / %.1f %s | %s |\n", r.Options.SKUs, c.Layout,
				filepath.Base(filepath.Dir(paths[j])), filepath.Base(filepath.Dir(paths[i])),
				c.HitA, c.HitB, mark(c.HitOK), c.P50A, c.P50B, mark(c.P50OK), c.P99A, c.P99B, mark(c.P99OK), pf(c.OK()))
		}
	}
	if pairs == 0 {
		b.WriteString("\nNo command was run twice: nothing to compare.\n")
		return
	}
	fmt.Fprintf(b, "\n%d of %d layout pairs within every bound.\n", pairs-failed, pairs)
}

// pf is a check's verdict.
func pf(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// vsCatalog draws cost per million page views and page p99 against the
// catalog size, one line per layout (the mean of its runs at each size);
// nothing with a single catalog size.
func (p *plotSet) vsCatalog(runs []*Results) error {
	cost, p99 := map[string]plotter.XYs{}, map[string]plotter.XYs{}
	var names []string
	sizes := map[int]bool{}
	type acc struct{ usd, p99, n float64 }
	sums := map[string]map[int]*acc{}
	for _, r := range runs {
		sizes[r.Options.SKUs] = true
		for _, x := range r.PageRuns {
			if sums[x.Layout] == nil {
				sums[x.Layout] = map[int]*acc{}
				names = append(names, x.Layout)
			}
			a := sums[x.Layout][r.Options.SKUs]
			if a == nil {
				a = &acc{}
				sums[x.Layout][r.Options.SKUs] = a
			}
			a.usd, a.p99, a.n = a.usd+x.Cost.USD, a.p99+x.PageLatency.P99, a.n+1
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	for _, l := range names {
		for skus, a := range sums[l] {
			cost[l] = append(cost[l], plotter.XY{X: float64(skus), Y: a.usd / a.n})
			p99[l] = append(p99[l], plotter.XY{X: float64(skus), Y: a.p99 / a.n})
		}
		sort.Slice(cost[l], func(i, j int) bool { return cost[l][i].X < cost[l][j].X })
		sort.Slice(p99[l], func(i, j int) bool { return p99[l][i].X < p99[l][j].X })
	}
	if err := p.lines("Cost per million page views vs catalog size", "SKUs on sale (log)", "USD per million page views", "cost-vs-skus.png", true, cost, names); err != nil {
		return err
	}
	return p.lines("Page-complete p99 vs catalog size", "SKUs on sale (log)", "page-complete p99 (ms)", "page-p99-vs-skus.png", true, p99, names)
}
