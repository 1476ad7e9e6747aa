package peers

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func sample(server string, round int, ok int64, elapsed, cpu time.Duration, bytes, icc int64, latMs ...int64) Sample {
	h := hdrhistogram.New(1, 300_000_000, 3)
	for _, l := range latMs {
		_ = h.RecordValue(l * 1000)
	}
	return Sample{Workload: Steady, Format: "webp", Server: server, Round: round,
		Measured: &Measured{OK: ok, Elapsed: elapsed, CPU: cpu, Bytes: bytes, ICCBytes: icc, Hist: h}}
}

// Rates pool requests over pooled time (not a mean of per-round rates),
// CPU and bytes are per OK response, ratios are edgeshelf/imgproxy, and
// per-round ratios show the spread.
func TestAggregateMaths(t *testing.T) {
	samples := []Sample{
		sample("edgeshelf", 0, 100, 10*time.Second, 2*time.Second, 1_000_000, 100_000, 10, 20, 30),
		sample("imgproxy", 0, 50, 10*time.Second, 2*time.Second, 500_000, 0, 40),
		sample("edgeshelf", 1, 300, 10*time.Second, 4*time.Second, 3_000_000, 300_000, 10),
		sample("imgproxy", 1, 100, 10*time.Second, 3*time.Second, 1_000_000, 0, 40),
	}
	rows := Aggregate(samples, "edgeshelf", "imgproxy")
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	r := rows[0]
	e, i := r.Servers["edgeshelf"], r.Servers["imgproxy"]
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("edgeshelf rps", e.RPS, 400.0/20)
	near("imgproxy rps", i.RPS, 150.0/20)
	near("edgeshelf CPU-ms/req", e.CPUmsPerReq, 6000.0/400)
	near("imgproxy CPU-ms/req", i.CPUmsPerReq, 5000.0/150)
	near("edgeshelf bytes", e.BytesPerRes, 10_000)
	near("edgeshelf ICC", e.ICCPerRes, 1_000)
	near("rps ratio", r.Ratios.RPS, 20/7.5)
	near("bytes ratio", r.Ratios.Bytes, 10_000/(1_500_000.0/150))
	near("bytes without ICC", r.Ratios.BytesNoICC, 9_000.0/10_000)
	near("round 0 ratio", r.Ratios.RoundRPS[0], 2)
	near("round 1 ratio", r.Ratios.RoundRPS[1], 3)
	if !r.Ratios.EqualBytes {
		t.Error("equal bytes per response not called equal")
	}
	if e.P50ms < 9.9 || e.P50ms > 10.1 || i.P99ms < 39.9 || i.P99ms > 40.1 {
		t.Errorf("percentiles of the pooled histograms: edgeshelf p50 %v, imgproxy p99 %v", e.P50ms, i.P99ms)
	}
}

// A row with a failed response is not a result, and bytes more than 3 %
// apart are said to be so in the table.
func TestTablesFlagFailuresAndUnequalBytes(t *testing.T) {
	a := sample("edgeshelf", 0, 100, time.Second, time.Second, 104_000, 0, 5)
	a.Failed = 1
	b := sample("imgproxy", 0, 100, time.Second, time.Second, 100_000, 0, 5)
	rows := Aggregate([]Sample{a, b}, "edgeshelf", "imgproxy")
	if rows[0].Valid() || rows[0].Ratios.EqualBytes {
		t.Fatalf("valid %v, equal bytes %v: want neither", rows[0].Valid(), rows[0].Ratios.EqualBytes)
	}
	if md := Tables(rows); !strings.Contains(md, "INVALID") || !strings.Contains(md, "| 1.04× |") {
		t.Errorf("table does not flag the failure or show the bytes ratio:\n%s", md)
	}
	a.Failed = 0
	if md := Tables(Aggregate([]Sample{a, b}, "edgeshelf", "imgproxy")); !strings.Contains(md, "more than 3 %") {
		t.Errorf("4 %% more bytes not flagged:\n%s", md)
	}
}

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and a parenthesis; utime 250, stime 50 ticks.
	stat := "4242 (img (proxy) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1000 123456 789\n"
	got, err := parseStatCPU(stat)
	if err != nil || got != 3*time.Second {
		t.Fatalf("parseStatCPU = %v, %v; want 3s", got, err)
	}
	if _, err := parseStatCPU("4242 (x) S 1 2"); err == nil {
		t.Error("a short stat line was accepted")
	}
}

// Bytes are compared over the variants both servers served: a faster
// server covers more of the catalog in the same time, and the means of two
// different samples of it would differ with equal encoders.
func TestBytesOverVariantsBothServed(t *testing.T) {
	a := sample("edgeshelf", 0, 3, time.Second, time.Second, 100+200+900, 0, 5)
	a.Sizes = map[string]Size{"x/webp/card": {Bytes: 100}, "y/webp/card": {Bytes: 200}, "z/webp/zoom": {Bytes: 900}}
	b := sample("imgproxy", 0, 2, time.Second, time.Second, 103+198, 0, 5)
	b.Sizes = map[string]Size{"x/webp/card": {Bytes: 103}, "y/webp/card": {Bytes: 198, ICC: 10}}
	r := Aggregate([]Sample{a, b}, "edgeshelf", "imgproxy")[0].Ratios
	if r.MatchedVariants != 2 || math.Abs(r.Bytes-300.0/301) > 1e-9 || math.Abs(r.BytesNoICC-300.0/291) > 1e-9 || !r.EqualBytes {
		t.Errorf("matched %d, bytes %.4f, without ICC %.4f, equal %v; want 2, %.4f, %.4f, true (means alone: %.2f)",
			r.MatchedVariants, r.Bytes, r.BytesNoICC, r.EqualBytes, 300.0/301, 300.0/291, (1200.0/3)/(301.0/2))
	}
	if md := Tables(Aggregate([]Sample{a, b}, "edgeshelf", "imgproxy")); !strings.Contains(md, "the 2 variants both served") {
		t.Errorf("table does not say what the bytes compare:\n%s", md)
	}
}
