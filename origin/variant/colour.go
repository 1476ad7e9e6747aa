package variant

import (
	"sort"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// ColourReport keeps the most recent ΔE2000 measurement of each variant
// over the threshold, for GET /admin/reports/colour. It is bounded: a
// catalogue-wide colour problem shows its newest 1000 variants.
type ColourReport struct {
	threshold float64
	mu        sync.Mutex
	over      *lru.Cache[string, ColourIssue]
	hist      prometheus.Histogram
}

// ColourIssue is one variant whose swatch is off.
type ColourIssue struct {
	SKU      string    `json:"sku"`
	View     string    `json:"view"`
	Hub      string    `json:"hub,omitempty"`
	Locale   string    `json:"locale"`
	Variant  string    `json:"variant"`
	URL      string    `json:"url"`
	DeltaE   float64   `json:"delta_e"`
	Measured time.Time `json:"measured"`
}

func newColourReport(threshold float64, reg prometheus.Registerer) *ColourReport {
	over, _ := lru.New[string, ColourIssue](1000)
	return &ColourReport{
		threshold: threshold,
		over:      over,
		hist: promauto.With(reg).NewHistogram(prometheus.HistogramOpts{
			Name:    "edgeshelf_colour_delta_e",
			Help:    "CIEDE2000 between each rendered swatch and its declared colour (as the locale means to show it).",
			Buckets: []float64{0.5, 1, 1.5, 2, 3, 5, 8, 13},
		}),
	}
}

// record notes a measurement; a variant back under the threshold leaves
// the report.
func (r *ColourReport) record(p Plan, deltaE float64, measured time.Time) {
	r.hist.Observe(deltaE)
	r.mu.Lock()
	defer r.mu.Unlock()
	if deltaE <= r.threshold {
		r.over.Remove(p.Key)
		return
	}
	r.over.Add(p.Key, ColourIssue{
		SKU: p.SKU, View: p.View, Hub: p.Orig.Hub, Locale: p.Locale, Variant: p.Spec.Canonical(),
		URL: p.URL, DeltaE: deltaE, Measured: measured,
	})
}

// Threshold is the ΔE2000 above which a variant is listed.
func (r *ColourReport) Threshold() float64 { return r.threshold }

// Issues lists the variants over the threshold, worst first.
func (r *ColourReport) Issues() []ColourIssue {
	r.mu.Lock()
	issues := r.over.Values()
	r.mu.Unlock()
	sort.Slice(issues, func(i, j int) bool { return issues[i].DeltaE > issues[j].DeltaE })
	return issues
}
