package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pageResults(skus int, command string, hit, p50, p99, usd float64) *Results {
	return &Results{Command: command, Options: OptionsJSON{SKUs: skus}, PageRuns: []*PageRunResult{
		{Layout: "none", PageLatency: Latency{P50: 2 * p50, P99: 2 * p99}, Cost: Cost{USD: 4 * usd}},
		{Layout: "l1", CacheHitRatio: hit, PageLatency: Latency{P50: p50, P99: p99}, Cost: Cost{USD: usd}},
	}}
}

// TestReproducibilityBounds: each bound passes just inside and fails just
// outside, and a layout missing from the second run is not compared.
func TestReproducibilityBounds(t *testing.T) {
	a := pageResults(1000, "x", 0.80, 100, 500, 2)
	cases := []struct {
		name                string
		b                   *Results
		hitOK, p50OK, p99OK bool
	}{
		{"same", pageResults(1000, "x", 0.80, 100, 500, 2), true, true, true},
		{"inside", pageResults(1000, "x", 0.815, 109, 590, 2), true, true, true},
		{"hit", pageResults(1000, "x", 0.83, 100, 500, 2), false, true, true},
		{"p50", pageResults(1000, "x", 0.80, 89, 500, 2), true, false, true},
		{"p99", pageResults(1000, "x", 0.80, 100, 610, 2), true, true, false},
	}
	for _, c := range cases {
		got := Reproducibility(a, c.b)
		if len(got) != 2 {
			t.Fatalf("%s: %d checks, want 2", c.name, len(got))
		}
		l1 := got[1]
		if l1.HitOK != c.hitOK || l1.P50OK != c.p50OK || l1.P99OK != c.p99OK {
			t.Errorf("%s: hit %v p50 %v p99 %v, want %v %v %v (%+v)", c.name, l1.HitOK, l1.P50OK, l1.P99OK, c.hitOK, c.p50OK, c.p99OK, l1)
		}
	}
	b := pageResults(1000, "x", 0.8, 100, 500, 2)
	b.PageRuns = b.PageRuns[1:]
	if got := Reproducibility(a, b); len(got) != 1 || got[0].Layout != "l1" {
		t.Errorf("with none missing from b: %+v, want only l1", got)
	}
}

// TestPageSummary: two catalog sizes run twice each give the table, one
// reproducibility row per layout and run pair, and the catalog-size plots.
func TestPageSummary(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, r := range []*Results{
		pageResults(1000, "cmd --skus 1000", 0.80, 100, 500, 2), pageResults(10000, "cmd --skus 10000", 0.60, 150, 700, 3),
		pageResults(1000, "cmd --skus 1000", 0.81, 104, 540, 2), pageResults(10000, "cmd --skus 10000", 0.65, 150, 700, 3),
	} {
		p := filepath.Join(dir, "run"+string(rune('a'+i)), "results.json")
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := PageSummary(filepath.Join(dir, "summary"), paths)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, want := range []string{"| 1000 | l1 | runa vs runc | 0.800 / 0.810 ✓", "| 10000 | l1 | runb vs rund | 0.600 / 0.650 ✗", "3 of 4 layout pairs within every bound",
		"cost-vs-skus.png", "page-p99-vs-skus.png"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, s)
		}
	}
	for _, f := range []string{"cost-vs-skus.png", "page-p99-vs-skus.png"} {
		if st, err := os.Stat(filepath.Join(dir, "summary", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := PageSummary(dir, []string{filepath.Join(dir, "missing.json")}); err == nil {
		t.Error("a missing results file gave no error")
	}
}
