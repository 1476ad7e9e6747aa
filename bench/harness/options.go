package harness

import (
	"io"
	"time"
)

// Scenarios by name.
var Scenarios = []string{"tiers", "sweep-rate", "sweep-l1-budget", "catalog-growth", "cold-start", "page-views"}

// Options configure a harness run; main fills them from flags.
type Options struct {
	Scenario string
	// PatientRenders makes every layout's renders wait for a slot instead
	// of being shed with 503 after the render queue wait (Layout's field of
	// the same name), for runs that measure tiers, not admission.
	PatientRenders bool
	// URLTemplate, when set, targets an external origin instead of an
	// in-process one: {sku} {view} {preset} {fmt} {locale} are replaced.
	URLTemplate string
	Store       string // s3 (versitygw, default) or fs
	Catalog     string // demo or generated
	SKUs        int    // generated catalog size
	SKUsList    []int  // catalog-growth sizes
	MaxViews    int    // generated SKUs: at most this many views (0: the demo's)
	Presets     []string
	Formats     []string
	Locales     []string
	Layouts     []string
	Rate        float64
	Rates       []float64 // sweep-rate
	L1Bytes     int64
	L1Budgets   []int64 // sweep-l1-budget
	ZipfS       float64
	Seed        uint64
	Duration    time.Duration
	Warmup      time.Duration
	S3Latency   time.Duration
	S3Jitter    time.Duration
	Restart     bool // tiers: re-run layouts with L1 after a restart (fresh L1, same L2)
	WarmHub     string
	WarmSKUs    int // cold-start: prewarm the most popular N SKUs
	MaxInFlight int
	Timeout     time.Duration
	// WAN links injected by DelayProxy: edge (load generator) → region,
	// and region → origin. Layouts without a regional cache still cross both.
	RegionLatency, RegionJitter time.Duration
	OriginLatency, OriginJitter time.Duration
	RegionBytes                 int64 // the regional nginx cache's size
	Pages                       PageOptions
	Prices                      Prices
	Progress                    bool
	Out                         io.Writer // status lines
	TmpDir                      string    // "" : a new temporary directory, removed at the end
	DemoDir                     string
}
