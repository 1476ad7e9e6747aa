package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/bench/sim"
)

// boundNote says what the offline references are, in every report.
const boundNote = "belady-size is an offline policy (furthest next use, size-aware by bypass): a miss ratio a cache of that size " +
	"can reach knowing the future, so an upper bound on the optimum's, not a lower bound (with sizes the optimum is NP-hard). " +
	"pfoo-l (Berger et al., SIGMETRICS 2018) is a true lower bound: every hit needs its object held since the previous request, " +
	"costing size × gap of the cache's budget × requests of space-time; the best fractional use of that total is a knapsack no " +
	"real cache can beat. static-popularity holds the trace's most requested keys that fit (popularities known in advance): " +
	"on IRM traces such as zipf the best an online policy can reach in the long run; a reference, not a bound."

// write puts results.json, sweep.csv, report.md and the plots in dir.
func write(dir string, s *simulation) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := writeCSV(filepath.Join(dir, "sweep.csv"), append(append([]sim.Result(nil), s.Sweep...), s.Scan...)); err != nil {
		return nil, err
	}
	plots, err := plotSweep(dir, s.Sweep)
	if err != nil {
		return plots, fmt.Errorf("plots: %w", err)
	}
	return plots, os.WriteFile(filepath.Join(dir, "report.md"), []byte(report(s, plots)), 0o644)
}

func writeCSV(path string, rs []sim.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"trace", "policy", "budget_pct", "budget_bytes", "requests", "bytes", "object_miss", "byte_miss", "hot_hit_no_scan", "hot_hit_scan", "elapsed_ms"})
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rs {
		_ = w.Write([]string{r.Trace, r.Policy, g(r.BudgetPct), strconv.FormatInt(r.Budget, 10), strconv.Itoa(r.Requests),
			strconv.FormatInt(r.Bytes, 10), g(r.ObjectMiss), g(r.ByteMiss), g(r.HotHitNoScan), g(r.HotHitScan), g(float64(r.Elapsed.Microseconds()) / 1000)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// report is report.md: traces, the sweep table, the scan experiment, the
// origin comparison and the checks.
func report(s *simulation, plots []string) string {
	var b strings.Builder
	sizes := "real rendered sizes (bench/sim/testdata/sizes.csv, or --sizes)"
	if strings.HasPrefix(s.Catalog, "none") {
		sizes = "the trace's own"
	}
	fmt.Fprintf(&b, "# edgeshelf cache trace simulator\n\n`%s`\n\nStarted %s, %s. Catalog: %s. Sizes: %s.\n\n",
		s.Command, s.Started.Format("2006-01-02 15:04:05Z"), s.Elapsed.Round(1e6), s.Catalog, sizes)
	if len(s.Sweep) > 0 {
		b.WriteString("## Traces\n\n| trace | requests | keys | working set (MiB) |\n|---|---:|---:|---:|\n")
		for _, t := range s.Traces {
			fmt.Fprintf(&b, "| %s | %d | %d | %.1f |\n", t.Name, t.Requests, t.Keys, float64(t.WorkingSet)/(1<<20))
		}
		b.WriteString("\n## Miss ratios (object / byte) by budget, % of the working set\n\n")
		b.WriteString(table(s.Sweep, false))
		b.WriteString("\n" + boundNote + "\n")
	}
	if len(s.Scan) > 0 {
		b.WriteString("\n## Scan experiment: the hot set's hit ratio without → with a one-time scan of 2× the budget\n\n")
		b.WriteString("`+scan`: a warm-up sweep (back to back); `+crawl`: a crawler (one scan request per normal request). " +
			"Hot set: the most requested keys that together fill the budget; ratios over its first --scan-window requests from the scan's start, in replays without and with the scan (the same requests).\n\n")
		b.WriteString("| trace | budget | policy | without scan | with scan | drop (points) |\n|---|---:|---|---:|---:|---:|\n")
		for _, r := range s.Scan {
			fmt.Fprintf(&b, "| %s | %g%% | %s | %.3f | %.3f | %.1f |\n", r.Trace, r.BudgetPct, r.Policy, r.HotHitNoScan, r.HotHitScan, 100*(r.HotHitNoScan-r.HotHitScan))
		}
	}
	if len(s.VsOrigin) > 0 {
		b.WriteString("\n## The same trace through the real origin (L1 only)\n\n| trace | policy | budget | requests | origin L1 hit | simulator hit | diff |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, r := range s.VsOrigin {
			fmt.Fprintf(&b, "| %s | %s | %g%% | %d | %.4f | %.4f | %+.4f |\n", r.Trace, r.Policy, r.BudgetPct, r.Requests, r.OriginHit, r.SimHit, r.OriginHit-r.SimHit)
		}
	}
	b.WriteString("\n## Checks\n\n")
	for _, c := range s.Checks {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	b.WriteString("\n## Plots\n\n")
	for _, p := range plots {
		fmt.Fprintf(&b, "![%s](%s)\n", p, p)
	}
	return b.String()
}

// table is one row per trace and policy, one column per budget, cells
// "object / byte" miss ratio (markdown, or plain text for stdout).
func table(rs []sim.Result, plain bool) string {
	type row struct{ trace, policy string }
	var rows []row
	var pcts []float64
	cell := map[row]map[float64]sim.Result{}
	for _, r := range rs {
		k := row{r.Trace, r.Policy}
		if cell[k] == nil {
			cell[k] = map[float64]sim.Result{}
			rows = append(rows, k)
		}
		cell[k][r.BudgetPct] = r
		if !containsF(pcts, r.BudgetPct) {
			pcts = append(pcts, r.BudgetPct)
		}
	}
	var b strings.Builder
	sep, end := " | ", " |\n"
	if plain {
		sep, end = "  ", "\n"
	}
	b.WriteString(strings.TrimPrefix(sep, " ") + fmt.Sprintf("%-22s", "trace") + sep + fmt.Sprintf("%-17s", "policy"))
	for _, p := range pcts {
		b.WriteString(sep + fmt.Sprintf("%13s", fmt.Sprintf("%g%%", p)))
	}
	b.WriteString(end)
	if !plain {
		b.WriteString("|---|---|" + strings.Repeat("---:|", len(pcts)) + "\n")
	}
	for _, k := range rows {
		b.WriteString(strings.TrimPrefix(sep, " ") + fmt.Sprintf("%-22s", k.trace) + sep + fmt.Sprintf("%-17s", k.policy))
		for _, p := range pcts {
			r := cell[k][p]
			b.WriteString(sep + fmt.Sprintf("%.3f / %.3f", r.ObjectMiss, r.ByteMiss))
		}
		b.WriteString(end)
	}
	return b.String()
}

func containsF(xs []float64, x float64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
