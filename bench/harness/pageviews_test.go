package harness

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// TestPageViewsEndToEnd runs the page-views scenario small (20 SKUs, a few
// hundred requests per layout) through real nginx, real libvips and real S3:
// warm-up, capacity probe, measured phase, one rate-sweep point and the L1
// budget replay, then the report and its plots.
func TestPageViewsEndToEnd(t *testing.T) {
	requireNginx(t)
	if _, err := s3test.FindBinary(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("versitygw is required when CI is set: %v", err)
		}
		t.Skipf("versitygw is not installed (make tools; with CI set this fails instead): %v", err)
	}
	_, file, _, _ := runtime.Caller(0)
	// About a minute alone; a loaded 2-core machine took over 4.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	opts := Options{
		Scenario: "page-views", Store: "s3", Catalog: "generated", SKUs: 20, MaxViews: 3,
		Locales: []string{"en-US", "de-DE"}, Layouts: []string{"regional", "l1"},
		L1Bytes: 64 << 20, RegionBytes: 64 << 20, ZipfS: 1.0, Seed: 3,
		S3Latency: 5 * time.Millisecond, S3Jitter: 2 * time.Millisecond,
		RegionLatency: 5 * time.Millisecond, RegionJitter: time.Millisecond,
		OriginLatency: 5 * time.Millisecond, OriginJitter: time.Millisecond,
		MaxInFlight: 24, Timeout: 60 * time.Second, Prices: DefaultPrices, Out: io.Discard,
		DemoDir: filepath.Join(filepath.Dir(file), "..", "..", "demo"),
		Pages: PageOptions{
			Measured: 300, Conns: 6, MobileShare: 0.6, AVIFShare: 0.5, WebPShare: 0.35,
			DayPages: 40, ChurnSKUs: 2, SteadyWindow: 150, MaxWarm: 300, SteadyDelta: 0.1,
			Sweep: []float64{0.5}, SweepSeconds: 1,
			Rates: map[string]float64{"l1": 7},
		},
	}
	if testing.Verbose() {
		opts.Out = os.Stderr
	}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PageRuns) != 2 {
		t.Fatalf("%d page runs, want 2", len(res.PageRuns))
	}
	for _, pr := range res.PageRuns {
		checkPageRunCounts(t, pr)
	}
	reg := res.PageRuns[0]
	if reg.Tiers["regional"] == 0 {
		t.Errorf("regional: no response had X-Cache-Status HIT: %v", reg.Tiers)
	}
	if reg.OriginRequests >= reg.EdgeRequests {
		t.Errorf("regional: origin answered %d requests of the edge's %d; nginx should have kept some", reg.OriginRequests, reg.EdgeRequests)
	}
	l1 := res.PageRuns[1]
	if l1.Tiers["regional"] != 0 || l1.OriginRequests != l1.EdgeRequests {
		t.Errorf("l1 (no regional cache): %d regional hits, origin answered %d of %d; want 0 and all", l1.Tiers["regional"], l1.OriginRequests, l1.EdgeRequests)
	}
	if !l1.RatePinned || l1.PageRate != 7 || reg.RatePinned || reg.PageRate != steadyRate(reg.Capacity) {
		t.Errorf("l1 pinned at 7 pages/s: %v %.1f; regional from its probe %.1f: %v %.1f", l1.RatePinned, l1.PageRate, reg.Capacity, reg.RatePinned, reg.PageRate)
	}
	checkCurves(t, res)
}

// checkCurves: every layout was probed and swept once; the l1 layout's
// replay at its own budget agrees with what its live L1 did, and the
// report shows both curves.
func checkCurves(t *testing.T, res *Results) {
	t.Helper()
	for _, pr := range res.PageRuns {
		if pr.Capacity <= 0 || len(pr.RateCurve) != 2 || !pr.RateCurve[0].Measured || pr.RateCurve[1].Pages < 40 {
			t.Errorf("%s: capacity %.1f, rate curve %+v; want a probe, the measured point and one ≥ 40-page sweep point", pr.Layout, pr.Capacity, pr.RateCurve)
		}
	}
	l1 := res.PageRuns[1]
	if len(l1.BudgetCurve) != len(budgetFractions) || l1.L1Policy == "" {
		t.Fatalf("l1: budget curve %+v (policy %q), want %d points", l1.BudgetCurve, l1.L1Policy, len(budgetFractions))
	}
	at1 := l1.BudgetCurve[slices.Index(budgetFractions, 1)]
	if at1.L1Bytes != l1.L1Bytes || math.Abs(at1.HitRatio-measuredL1Hit(l1)) > 0.1 {
		t.Errorf("l1: replay at %d bytes hits %.3f, live L1 %.3f; want the same budget within 0.1", at1.L1Bytes, at1.HitRatio, measuredL1Hit(l1))
	}
	if len(res.PageRuns[0].BudgetCurve) != 0 {
		t.Errorf("regional has no L1 but a budget curve: %+v", res.PageRuns[0].BudgetCurve)
	}
	dir := t.TempDir()
	if err := Write(dir, res); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"page-p99-vs-rate.png", "l1-hit-vs-budget.png", "## L1 hit ratio vs budget", "| l1 (measured) |", "| l1 | 7.0 ("} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func checkPageRunCounts(t *testing.T, pr *PageRunResult) {
	t.Helper()
	var tiers int64
	for _, n := range pr.Tiers {
		tiers += n
	}
	if pr.Errors != 0 || pr.PagesDropped != 0 || pr.OK != pr.Requests {
		t.Errorf("%s: %d errors %v, %d pages dropped, %d OK of %d", pr.Layout, pr.Errors, pr.Failures, pr.PagesDropped, pr.OK, pr.Requests)
	}
	if tiers != pr.OK {
		t.Errorf("%s: hits + misses per tier = %d, want the %d OK requests (%v)", pr.Layout, tiers, pr.OK, pr.Tiers)
	}
	if pr.Requests < 300 || float64(pr.Pages)*pr.ImagesPerPage != float64(pr.Requests) {
		t.Errorf("%s: %d pages × %.2f images = %d requests? want ≥ 300", pr.Layout, pr.Pages, pr.ImagesPerPage, pr.Requests)
	}
	if pr.PageLatency.P99 < pr.RequestLatency.P50 || pr.PageLatency.P50 <= 0 {
		t.Errorf("%s: page p50 %.1f / p99 %.1f ms against request p50 %.1f ms", pr.Layout, pr.PageLatency.P50, pr.PageLatency.P99, pr.RequestLatency.P50)
	}
	if pr.Renders > pr.Tiers["render"] || (pr.Tiers["render"] > 0) != (pr.Renders > 0) {
		t.Errorf("%s: %d renders counted for %d responses that came from a render", pr.Layout, pr.Renders, pr.Tiers["render"])
	}
	if pr.Cost.USD <= 0 || pr.WarmRequests == 0 {
		t.Errorf("%s: cost $%v per M pages, %d warm requests", pr.Layout, pr.Cost.USD, pr.WarmRequests)
	}
}
