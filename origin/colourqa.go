package origin

import (
	"sort"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// colourReport keeps the most recent ΔE2000 measurement of each variant
// over the threshold, for GET /admin/reports/colour. It is bounded: a
// catalogue-wide colour problem shows its newest 1000 variants.
type colourReport struct {
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

func newColourReport(threshold float64, reg prometheus.Registerer) *colourReport {
	over, _ := lru.New[string, ColourIssue](1000)
	return &colourReport{
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
func (r *colourReport) record(key string, issue ColourIssue) {
	r.hist.Observe(issue.DeltaE)
	r.mu.Lock()
	defer r.mu.Unlock()
	if issue.DeltaE > r.threshold {
		r.over.Add(key, issue)
	} else {
		r.over.Remove(key)
	}
}

// reportColour serves GET /admin/reports/colour: variants over the
// threshold, worst first.
func (s *Server) reportColour(c *fiber.Ctx) error {
	s.colour.mu.Lock()
	issues := s.colour.over.Values()
	s.colour.mu.Unlock()
	sort.Slice(issues, func(i, j int) bool { return issues[i].DeltaE > issues[j].DeltaE })
	return c.JSON(fiber.Map{"threshold": s.colour.threshold, "count": len(issues), "variants": issues})
}
