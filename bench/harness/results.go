package harness

import "time"

// RunResult is one measured run: a layout, in a phase, at a rate.
type RunResult struct {
	Scenario     string  `json:"scenario"`
	Layout       string  `json:"layout"`
	Phase        string  `json:"phase"`
	Rate         float64 `json:"rate_rps"`
	L1Bytes      int64   `json:"l1_bytes"`
	L2           bool    `json:"l2"`
	Catalog      string  `json:"catalog"`
	SKUs         int     `json:"skus"`
	Variants     int     `json:"variants"`
	ZipfS        float64 `json:"zipf_s"`
	S3LatencyMs  float64 `json:"s3_latency_ms"`
	S3JitterMs   float64 `json:"s3_jitter_ms"`
	WarmupReqs   int     `json:"warmup_requests"`
	DurationSecs float64 `json:"duration_s"`

	Scheduled     int64              `json:"scheduled"`
	Completed     int64              `json:"completed"`
	OK            int64              `json:"ok"`
	Errors        int64              `json:"errors"`
	Dropped       int64              `json:"dropped"`
	ThroughputRPS float64            `json:"throughput_rps"`
	Latency       Latency            `json:"latency_ms"`
	Tiers         map[string]int64   `json:"tiers"`
	HitRatio      map[string]float64 `json:"hit_ratio"`
	CacheHitRatio float64            `json:"cache_hit_ratio"`
	ByteHitRatio  float64            `json:"byte_hit_ratio"`
	BytesServed   int64              `json:"bytes_served"`

	Renders       int64   `json:"renders"` // origin-side, measured window
	RendersPer1k  float64 `json:"renders_per_1k"`
	S3Gets        int64   `json:"s3_gets"`
	S3GetsPer1k   float64 `json:"s3_gets_per_1k"`
	S3Puts        int64   `json:"s3_puts"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUmsPerReq   float64 `json:"cpu_ms_per_request"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	RunRenders    int64   `json:"run_renders"`           // origin-side, warm-up included
	RunDistinct   int     `json:"run_distinct_variants"` // distinct URLs requested, warm-up included
	MaxHdrRenders int64   `json:"max_render_headers_per_variant"`
	Notes         string  `json:"notes,omitempty"`

	CDF []CDFPoint `json:"cdf"`
}

// Results are a harness run's output.
type Results struct {
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
	Command  string       `json:"command"`
	Host     HostInfo     `json:"host"`
	Options  OptionsJSON  `json:"options"`
	Runs     []*RunResult `json:"runs"`
	// PageRuns are the page-views scenario's layouts, priced at Prices.
	PageRuns []*PageRunResult `json:"page_runs,omitempty"`
	Prices   *Prices          `json:"prices,omitempty"`
}

// HostInfo describes the machine.
type HostInfo struct {
	GOOS, GOARCH, GoVersion string
	CPUs                    int
}

// OptionsJSON is the serialisable part of Options.
type OptionsJSON struct {
	Scenario, Target, Store, Catalog string
	SKUs                             int
	Presets, Formats, Locales        []string
	Layouts                          []string
	Rate                             float64
	L1Bytes                          int64
	ZipfS                            float64
	Seed                             uint64
	Duration, Warmup                 string
	S3Latency, S3Jitter              string
}
