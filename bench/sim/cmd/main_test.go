package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

// TestSimulatorRun: a small run of every generated trace and the scan
// experiment writes the table, the report, the plots and a PASS/FAIL line
// per check.
func TestSimulatorRun(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := runE(context.Background(), []string{"--traces", "zipf,product-page,churn,scan", "--alphas", "0.8", "--requests", "40000",
		"--skus", "60", "--budgets", "1,5,10", "--scan-window", "1000", "--out", dir}, &stdout, &stderr)
	if err != nil && !errors.Is(err, errChecksFailed) {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	// 2 traces × 3 budgets × 2 sweep checks + 2 traces × 2 scans × 3 budgets.
	if n := strings.Count(out, "PASS  ") + strings.Count(out, "FAIL  "); n != 24 {
		t.Errorf("%d check lines, want 24:\n%s", n, out)
	}
	for _, f := range []string{"report.md", "results.json", "sweep.csv", "byte-miss-zipf-0_8.png", "object-miss-product-page-0_8.png", "byte-miss-churn-0_8.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	rep, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"pfoo-l", "lower bound", "zipf-0.8+scan2x", "product-page-0.8+crawl2x"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^\| churn-0\.8 +\| wtinylfu +\| 0\.\d{3} / 0\.\d{3} \|`).Match(rep) {
		t.Errorf("report.md has no churn-0.8 wtinylfu row:\n%s", rep)
	}
}

// TestReplayRecordedTrace: --trace replays an access trace as written by
// the origin, alone.
func TestReplayRecordedTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.trace")
	var lines strings.Builder
	for i := range 3000 {
		k := []string{"a/1", "b/2", "c/3", "d/4"}[i%4]
		lines.WriteString("1733300000000000000 " + k + " 1000 l1\n")
	}
	if err := os.WriteFile(path, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runE(context.Background(), []string{"--trace", path, "--budgets", "50,100", "--policies", "lru,pfoo-l", "--out", filepath.Join(dir, "out")}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	// A loop over 4 equal keys: LRU at half the keys always misses; at all
	// of them it misses only the first 4 (in the warm-up).
	out := stdout.String()
	if !strings.Contains(out, "recorded                lru                1.000 / 1.000  0.000 / 0.000") {
		t.Fatalf("unexpected table:\n%s", out)
	}
}

// TestSimulatorMatchesOrigin drives a Zipf 0.8 trace through a real
// in-process origin (libvips, fs store, L1 only) under each policy and
// checks its L1 hit ratio is the simulator's within ±0.03 (issue #17).
func TestSimulatorMatchesOrigin(t *testing.T) {
	if testing.Short() {
		t.Skip("renders through libvips")
	}
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := sim.DefaultSizes()
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFlags([]string{"--vs-trace", "zipf", "--vs-skus", "30", "--vs-requests", "600", "--vs-budgets", "20"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := f.runVsOrigin(context.Background(), root, sizes, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d results, want lru and the default policy", len(rs))
	}
	for _, c := range vsChecks(rs) {
		t.Log(c)
		if !c.Pass {
			t.Error(c)
		}
	}
}
