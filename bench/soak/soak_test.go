package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func soakOptions() options {
	return options{duration: 5 * time.Minute, warmup: 2 * time.Minute, interval: 10 * time.Second, store: "s3",
		l1Bytes: 32 << 20, rssHeadroom: 300 << 20, workers: 4, maxGrowth: 5}
}

// samples makes one sample every 10 s for 5 min; rss and goroutines give
// each one's values from its time.
func samples(rss func(time.Duration) int64, goroutines func(time.Duration) int) []sample {
	var out []sample
	for at := 10 * time.Second; at <= 5*time.Minute; at += 10 * time.Second {
		out = append(out, sample{at: at, rss: rss(at), goroutines: goroutines(at)})
	}
	return out
}

func flatGoroutines(time.Duration) int { return 22 }

func TestEvaluate(t *testing.T) {
	ok := trafficStats{requests: 1000}
	tests := []struct {
		name    string
		samples []sample
		traffic trafficStats
		stopErr error
		want    []string // problems, by a word each; none means PASS
	}{
		{
			name: "flat after a warm-up that grew",
			samples: samples(func(at time.Duration) int64 {
				if at < 2*time.Minute {
					return int64(at/time.Second) << 20 // 10..110 MiB while L1 fills
				}
				return 200 << 20
			}, flatGoroutines),
			traffic: ok,
		},
		{
			name: "flat, swinging ±5 % between samples",
			samples: samples(func(at time.Duration) int64 {
				swing := []int64{0, 12, -10, 8, -12, 4, -6, 10, -2}
				return (235 + swing[int(at/(10*time.Second))%len(swing)]) << 20
			}, flatGoroutines),
			traffic: ok,
		},
		{
			name: "RSS creeping 1 MiB a sample",
			samples: samples(func(at time.Duration) int64 {
				return 150<<20 + int64(at/(10*time.Second))<<20
			}, flatGoroutines),
			traffic: ok, want: []string{"RSS grew"},
		},
		{
			name:    "a goroutine leaked per minute",
			samples: samples(func(time.Duration) int64 { return 150 << 20 }, func(at time.Duration) int { return 20 + int(at/time.Minute) }),
			traffic: ok, want: []string{"goroutines grew"},
		},
		{
			name:    "over the budget even while flat",
			samples: samples(func(time.Duration) int64 { return 340 << 20 }, flatGoroutines),
			traffic: ok, want: []string{"over the L1 budget"},
		},
		{
			name:    "failed requests and a dirty stop",
			samples: samples(func(time.Duration) int64 { return 150 << 20 }, flatGoroutines),
			traffic: trafficStats{requests: 1000, failures: 2, firstFailures: []string{"route: 503"}},
			stopErr: errors.New("exit status 1"),
			want:    []string{"2 of 1000 requests failed", "graceful stop"},
		},
		{
			name:    "a burst of misses shed a render: allowed",
			samples: samples(func(time.Duration) int64 { return 150 << 20 }, flatGoroutines),
			traffic: trafficStats{requests: 1000, shed: 1},
		},
		{
			name:    "renders shed beyond the start-up burst",
			samples: samples(func(time.Duration) int64 { return 150 << 20 }, flatGoroutines),
			traffic: trafficStats{requests: 1000, shed: 2},
			want:    []string{"2 of 1000 requests were shed"},
		},
		{
			name:    "too few samples after the warm-up",
			samples: samples(func(time.Duration) int64 { return 150 << 20 }, flatGoroutines)[:12],
			traffic: ok, want: []string{"need at least 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := evaluate(tt.samples, soakOptions(), tt.traffic, 0, tt.stopErr)
			if v.ok() != (len(tt.want) == 0) || len(v.problems) != len(tt.want) {
				t.Fatalf("problems %q, want %d mentioning %q", v.problems, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(v.problems[i], w) {
					t.Errorf("problem %q does not mention %q", v.problems[i], w)
				}
			}
			var out strings.Builder
			v.print(&out, soakOptions())
			if last := strings.TrimSpace(out.String()); v.ok() != strings.HasSuffix(last, "PASS") {
				t.Errorf("report does not end in its verdict:\n%s", last)
			}
		})
	}
}

func TestDistinctPathsDoNotRepeat(t *testing.T) {
	tr := &traffic{sources: []string{"a/front", "b/front", "c/back"}}
	seen := map[string]bool{}
	for n := range int64(3 * 2200) {
		p := tr.distinctPath(n)
		if seen[p] {
			t.Fatalf("variant %d, %s, was asked before", n, p)
		}
		seen[p] = true
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := soakOptions().validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := soakOptions()
	bad.warmup = 4*time.Minute + 50*time.Second
	if err := bad.validate(); err == nil {
		t.Error("a warm-up leaving one sample was accepted")
	}
	bad = soakOptions()
	bad.store = "gcs"
	if err := bad.validate(); err == nil {
		t.Error("--store gcs was accepted")
	}
}

func TestRenderBusy(t *testing.T) {
	if !renderBusy([]byte(`{"status":503,"code":"render_busy"}`)) {
		t.Error("a render_busy body was not recognised")
	}
	if renderBusy([]byte(`{"status":503,"code":"store_unavailable"}`)) {
		t.Error("a store outage was taken for a shed render")
	}
}
