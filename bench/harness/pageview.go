package harness

import (
	"math/rand/v2"
	"strings"
)

// PageOptions shape the product-page workload (scenario page-views).
type PageOptions struct {
	Rate float64 // page views per second, no warm-up probe (0: probe each layout)
	// Rates pin a layout's measured rate (pages/s) after its probe, so that
	// two runs of one command offer the same load whatever their probes
	// say; the layouts not named get steadyRate of their probe.
	Rates       map[string]float64
	Measured    int     // measured requests per layout (rounded up to whole pages)
	Conns       int     // parallel fetches per page, as a browser's 6 per host
	MobileShare float64 // share of page views from phones; the rest are desktops
	// Accept mix of the page views: the rest send a JPEG-only Accept.
	AVIFShare, WebPShare float64
	// Catalog churn: every DayPages page views a simulated day passes and
	// ChurnSKUs new SKUs enter at the top of the popularity ranking while
	// as many of the oldest leave it.
	DayPages, ChurnSKUs int
	// Steady state: warm in windows of SteadyWindow requests until the hit
	// ratio of two consecutive windows differs by less than SteadyDelta,
	// at most MaxWarm requests.
	SteadyWindow, MaxWarm int
	SteadyDelta           float64
	// Sweep are fractions of the probed capacity run after the measured
	// phase for about SweepSeconds each: the page p99 vs rate curve.
	Sweep        []float64
	SweepSeconds float64
}

// The Accept headers browsers send for images.
const (
	acceptAVIF = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	acceptWebP = "image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	acceptJPEG = "image/jpeg,image/png,*/*;q=0.5"
)

// Page is one product-page view: the images a browser fetches for it.
type Page struct {
	Device, Accept string
	URLs           []string
}

// deviceImages is the image set a device class loads for a SKU, from the
// catalog's presets: a phone shows a pdp image and a thumb strip, a
// desktop a pdp image, cards for the other views and the zoom of the first.
func deviceImages(device string, views []string) []Variant {
	var out []Variant
	add := func(view, preset string) { out = append(out, Variant{View: view, Preset: preset, Format: "auto"}) }
	add(views[0], "pdp")
	for _, v := range views {
		if device == "mobile" {
			add(v, "thumb")
		} else if v != views[0] {
			add(v, "card")
		}
	}
	if device == "desktop" {
		add(views[0], "zoom")
	}
	return out
}

// pageGen draws page views: Zipf SKU popularity over the SKUs active on
// the simulated day (newest first), a device class, an Accept and a locale.
type pageGen struct {
	skus    []SKU // in order of entry into the catalog
	active  int   // SKUs on sale on any one day
	opts    PageOptions
	locales []string
	zipf    *Zipf
	rng     *rand.Rand
	n       int // pages drawn so far
}

// newPageGen keeps active SKUs on sale; the catalog's further SKUs enter
// over the simulated days (see PageOptions.ChurnSKUs).
func newPageGen(c *Catalog, active int, locales []string, opts PageOptions, zipfS float64, seed uint64) *pageGen {
	skus := append([]SKU(nil), c.SKUs...)
	rng := rand.New(rand.NewPCG(seed, 7))
	rng.Shuffle(len(skus), func(i, j int) { skus[i], skus[j] = skus[j], skus[i] })
	active = min(max(active, 1), len(skus))
	return &pageGen{skus: skus, active: active, opts: opts, locales: locales,
		zipf: NewZipf(active, zipfS, seed), rng: rng}
}

// day is the simulated day of the next page view.
func (g *pageGen) day() int {
	if g.opts.DayPages <= 0 {
		return 0
	}
	return g.n / g.opts.DayPages
}

// sku is the SKU at popularity rank r today: the newest on sale is rank 0.
func (g *pageGen) sku(r int) SKU {
	first := g.day() * g.opts.ChurnSKUs
	first = min(first, len(g.skus)-g.active) // the catalog ran out of new SKUs: churn stops
	return g.skus[first+g.active-1-r]
}

func (g *pageGen) next(base, template string) Page {
	s := g.sku(g.zipf.Next())
	g.n++
	device := "desktop"
	if g.rng.Float64() < g.opts.MobileShare {
		device = "mobile"
	}
	accept := acceptJPEG
	switch x := g.rng.Float64(); {
	case x < g.opts.AVIFShare:
		accept = acceptAVIF
	case x < g.opts.AVIFShare+g.opts.WebPShare:
		accept = acceptWebP
	}
	locale := ""
	if len(g.locales) > 0 {
		locale = g.locales[g.rng.IntN(len(g.locales))]
	}
	p := Page{Device: device, Accept: accept}
	for _, v := range deviceImages(device, s.Views) {
		v.SKU, v.Locale = s.ID, locale
		p.URLs = append(p.URLs, VariantURL(base, template, v))
	}
	return p
}

// acceptName names an Accept header in the report.
func acceptName(a string) string {
	switch {
	case strings.HasPrefix(a, "image/avif"):
		return "avif"
	case strings.HasPrefix(a, "image/webp"):
		return "webp"
	}
	return "jpeg"
}
