package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// TestTiersEndToEnd runs a tiny tiers scenario (every layout, restarts
// included) against an in-process origin over versitygw (the fs store when
// versitygw is not installed) and checks the outputs agree with each other.
func TestTiersEndToEnd(t *testing.T) {
	store := "s3"
	if _, err := s3test.FindBinary(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("versitygw is required when CI is set (the fs fallback would pass CI without running the harness over S3): %v; run `make tools` to install it into bin/", err)
		}
		t.Logf("versitygw not found, using the fs store: %v", err)
		store = "fs"
	}
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	got, err := runE(context.Background(), []string{
		"--scenario", "tiers", "--catalog", "demo", "--store", store,
		"--rate", "20", "--warmup", "500ms", "--duration", "1s",
		"--presets", "thumb", "--formats", "jpg,webp", "--locales", "en-US",
		"--s3-latency", "2ms", "--s3-jitter", "1ms", "--quiet", "--out", dir,
		// Under -race beside the rest of the suite, 20 renders a second can
		// outrun 2 cores; a shed 503 would be an error here.
		"--patient-renders",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if got != dir {
		t.Fatalf("results in %s, want %s", got, dir)
	}
	for _, f := range []string{"results.json", "results.csv", "report.md", "latency-cdf.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	var res harness.Results
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	want := []string{"none/cold", "regional/cold", "l1/cold", "l1/restart", "l1+l2/cold", "l1+l2/restart"}
	if len(res.Runs) != len(want) {
		t.Fatalf("%d runs, want %d", len(res.Runs), len(want))
	}
	for i, x := range res.Runs {
		if name := x.Layout + "/" + x.Phase; name != want[i] {
			t.Errorf("run %d is %s, want %s", i, name, want[i])
		}
		if x.Scheduled != 20 { // 1 s × 20 req/s
			t.Errorf("%s: %d scheduled, want 20", x.Label(), x.Scheduled)
		}
		if x.Completed+x.Dropped != x.Scheduled || x.OK+x.Errors != x.Completed {
			t.Errorf("%s: counts do not add up: %+v", x.Label(), x)
		}
		if x.Errors+x.Dropped != 0 {
			t.Errorf("%s: %d errors, %d dropped", x.Label(), x.Errors, x.Dropped)
		}
		var sum int64
		for _, n := range x.Tiers {
			sum += n
		}
		if sum != x.OK {
			t.Errorf("%s: tiers %v sum to %d, want %d", x.Label(), x.Tiers, sum, x.OK)
		}
		for name, r := range map[string]float64{"l1": x.HitRatio["l1"], "l2": x.HitRatio["l2"], "render": x.HitRatio["render"],
			"cache": x.CacheHitRatio, "byte": x.ByteHitRatio} {
			if r < 0 || r > 1 {
				t.Errorf("%s: %s ratio %v outside [0,1]", x.Label(), name, r)
			}
		}
		if x.Latency.P50 <= 0 || x.Latency.P50 > x.Latency.P99 || x.Latency.P99 > x.Latency.Max {
			t.Errorf("%s: latency not ordered: %+v", x.Label(), x.Latency)
		}
		if x.Tiers["other"] != 0 {
			t.Errorf("%s: %d responses without a tier in Server-Timing", x.Label(), x.Tiers["other"])
		}
		if !x.L2 && x.Tiers["l2"] != 0 || x.L1Bytes == 0 && x.Tiers["l1"] != 0 {
			t.Errorf("%s: hits from a tier it does not have: %v", x.Label(), x.Tiers)
		}
		if x.RunRenders > int64(x.RunDistinct) && x.L1Bytes > 0 {
			t.Errorf("%s: %d renders for %d distinct variants: L1 rendered a variant twice", x.Label(), x.RunRenders, x.RunDistinct)
		}
	}
	none := res.Runs[0]
	if none.Tiers["render"] != none.OK || none.HitRatio["render"] != 1 {
		t.Errorf("no-cache layout did not render every request: %v", none.Tiers)
	}
	// Two requests for one variant in flight at once share its render, so
	// the render counter may fall short of the requests; it still renders
	// each variant it was asked for at least once, and never more than once
	// per request (warm-up included).
	if sent := int64(none.WarmupReqs) + none.Scheduled; none.RunRenders < int64(none.RunDistinct) || none.RunRenders > sent {
		t.Errorf("no-cache layout: %d renders for %d distinct variants in %d requests", none.RunRenders, none.RunDistinct, sent)
	}
	if both := res.Runs[5]; both.Tiers["render"] != 0 && both.Renders > res.Runs[3].Renders {
		t.Errorf("l1+l2 after a restart rendered %d, more than l1 alone (%d)", both.Renders, res.Runs[3].Renders)
	}

	f, err := os.Open(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(res.Runs)+1 {
		t.Errorf("results.csv has %d rows, want %d", len(rows), len(res.Runs)+1)
	}
	report, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, s := range []string{"| l1+l2 (restart) |", "latency-cdf.png", "## Checks"} {
		if !strings.Contains(string(report), s) {
			t.Errorf("report.md lacks %q", s)
		}
	}

	stdout.Reset()
	jsonPath := filepath.Join(dir, "results.json")
	if _, err := runE(context.Background(), []string{"--compare", jsonPath, jsonPath}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "1.00×") || !strings.Contains(stdout.String(), "l1+l2 (restart)") {
		t.Errorf("--compare output:\n%s", stdout.String())
	}
}

func TestCheckTarget(t *testing.T) {
	for tmpl, ok := range map[string]bool{
		"http://127.0.0.1:8080/img/{sku}/{view}/{preset}.{fmt}": true,
		"http://localhost:8080/img/{sku}/{view}/{preset}.{fmt}": true,
		"http://example.com/img/{sku}/{view}/{preset}.{fmt}":    false,
		"ftp://127.0.0.1/img/{sku}/{view}/{preset}.{fmt}":       false,
		"http://[::1]:8080/img/{sku}/{view}/{preset}.{fmt}?x=1": true,
	} {
		if err := checkTarget(tmpl, false); (err == nil) != ok {
			t.Errorf("checkTarget(%q) = %v, want ok=%v", tmpl, err, ok)
		}
	}
}

// TestPageRatesFlag: --page-rates pins the named layouts and rejects what
// would silently not take effect.
func TestPageRatesFlag(t *testing.T) {
	parse := func(args ...string) (harness.Options, error) {
		f, err := parseFlags(append([]string{"--scenario", "page-views"}, args...), &bytes.Buffer{})
		if err != nil {
			return harness.Options{}, err
		}
		return f.options()
	}
	o, err := parse("--page-rates", "none=5, l1=12.5")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Pages.Rates) != 2 || o.Pages.Rates["none"] != 5 || o.Pages.Rates["l1"] != 12.5 {
		t.Errorf("rates %v, want none=5 l1=12.5", o.Pages.Rates)
	}
	for _, bad := range [][]string{
		{"--page-rates", "none"},
		{"--page-rates", "nope=5"},
		{"--page-rates", "none=-1"},
		{"--page-rates", "none=5", "--page-rate", "3"},
		{"--page-rates", "l2=5"}, // a layout page-views does not run by default
	} {
		if _, err := parse(bad...); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}
