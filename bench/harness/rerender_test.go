package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRerenderSizing: a report re-rendered from results.json alone says
// that an L1 behind nginx answered nothing instead of sizing it, and sizes
// an L1 that hits at the smallest budget within 0.02 of the largest.
func TestRerenderSizing(t *testing.T) {
	curve := func(hits ...float64) []BudgetPoint {
		var c []BudgetPoint
		for i, h := range hits {
			c = append(c, BudgetPoint{L1Bytes: 16 << 20 << i, HitRatio: h})
		}
		return c
	}
	run := func(layout string, regional bool, usd float64, c []BudgetPoint) *PageRunResult {
		return &PageRunResult{Layout: layout, Regional: regional, L1Bytes: 512 << 20, PagesOK: 100,
			PageLatency: Latency{P50: 40, P99: 700}, Cost: Cost{USD: usd}, BudgetCurve: c}
	}
	for _, c := range []struct {
		regionalUSD float64
		want, not   string
	}{
		{2, "its L1 answered no request, live or replayed at any budget from 16MiB to 128MiB", "reaches within 0.02"},
		{9, "an L1 of 32MiB reaches within 0.02 of the hit ratio of 128MiB", "answered no request"},
	} {
		r := &Results{Command: "go run ./bench --scenario page-views", PageRuns: []*PageRunResult{
			run("l1", false, 5, curve(0.5, 0.72, 0.737, 0.737)),
			run("regional+l1", true, c.regionalUSD, curve(0, 0, 0, 0)),
		}}
		path := filepath.Join(t.TempDir(), "results.json")
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Rerender(path); err != nil {
			t.Fatal(err)
		}
		report, err := os.ReadFile(filepath.Join(filepath.Dir(path), "report.md"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(report), c.want) || strings.Contains(string(report), c.not) {
			t.Errorf("regional+l1 at $%g: report.md's recommendation lacks %q or has %q:\n%s", c.regionalUSD, c.want, c.not, report)
		}
	}
}
