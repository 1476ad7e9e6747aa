package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// interval spaces generated requests: 1,000 requests/s, so a trace's time
// column reads like an origin's.
const interval = int64(time.Millisecond)

// ZipfTrace draws n requests over every variant of c with popularity
// Zipf(alpha) over a seeded random ranking of the variants (so popularity is
// spread over SKUs, presets and formats, as bench/harness ranks them).
func ZipfTrace(c *Catalog, alpha float64, n int, seed uint64) *Trace {
	vs := c.Variants()
	rng := rand.New(rand.NewPCG(seed, 1))
	rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	z := newZipf(len(vs), alpha, rng)
	t := &Trace{Name: fmt.Sprintf("zipf-%g", alpha), Reqs: make([]Request, n)}
	for i := range t.Reqs {
		v := vs[z.next()]
		t.Reqs[i] = Request{Time: int64(i) * interval, Key: v.Key, Size: v.Size}
	}
	return t
}

// Device is a device class of the product-page model: which preset shows
// the gallery images, in which format.
type Device struct {
	Name   string
	Share  float64 // of page views
	Main   string  // preset of the gallery images (every view also gets a thumb)
	Format string
	Zoom   float64 // share of its page views that also open the zoom of the first view
}

// DefaultDevices are phones on WebP cards, desktops on AVIF product images
// (some zooming), and a tail of old browsers on JPEG.
var DefaultDevices = []Device{
	{Name: "mobile", Share: 0.6, Main: "card", Format: "webp", Zoom: 0.02},
	{Name: "desktop", Share: 0.3, Main: "pdp", Format: "avif", Zoom: 0.15},
	{Name: "legacy", Share: 0.1, Main: "pdp", Format: "jpg", Zoom: 0.05},
}

// DefaultProfileShares put most traffic in sRGB-neutral locales (en-US,
// en-GB, pl-PL), then the warm-toned ones (de-DE, fr-FR), then Display P3
// (ja-JP).
var DefaultProfileShares = map[string]float64{"srgb-neutral": 0.6, "srgb-warm": 0.3, "p3-neutral": 0.1}

// PageSpec is the product-page model: a page view requests one SKU's image
// set (a thumb and the device's main image of every view, sometimes a zoom)
// for one device class and locale; SKU popularity is Zipf(Alpha).
type PageSpec struct {
	Alpha    float64
	Requests int // stop after about this many requests (whole page views)
	Seed     uint64
	Devices  []Device
	// ProfileShares weighs the colour profiles a locale selects (nil:
	// equal); they, not locales, make distinct cache entries.
	ProfileShares map[string]float64
	Churn         Churn
}

// Churn is daily catalog churn: every day (PageViewsPerDay page views)
// NewSKUs new SKUs launch at random ranks among the top fifth of the
// popularity ranking, each replacing the SKU there (retired), and
// NewPhotos SKUs get a re-shot photo of one view (a new source, so new
// cache keys of the same sizes).
type Churn struct {
	PageViewsPerDay    int
	NewSKUs, NewPhotos int
	templates          []SKU
	launched           int // SKUs launched so far, numbering the new ids
}

// ProductPageTrace generates the product-page model over c's SKUs.
func ProductPageTrace(c *Catalog, spec PageSpec) (*Trace, error) {
	devices := spec.Devices
	if devices == nil {
		devices = DefaultDevices
	}
	if err := c.checkDevices(devices); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 2))
	skus := append([]SKU(nil), c.SKUs...)
	rng.Shuffle(len(skus), func(i, j int) { skus[i], skus[j] = skus[j], skus[i] })
	versions := make([]map[string]int, len(skus)) // rank → view → photo version
	z := newZipf(len(skus), spec.Alpha, rng)
	devW := make([]float64, len(devices))
	for i, d := range devices {
		devW[i] = d.Share
	}
	profW := make([]float64, len(c.Profiles))
	for i, p := range c.Profiles {
		profW[i] = 1
		if w, ok := spec.ProfileShares[p]; ok {
			profW[i] = w
		}
	}
	name := fmt.Sprintf("product-page-%g", spec.Alpha)
	if spec.Churn.PageViewsPerDay > 0 {
		name = fmt.Sprintf("churn-%g", spec.Alpha)
	}
	t := &Trace{Name: name, Reqs: make([]Request, 0, spec.Requests+8)}
	ch := spec.Churn
	ch.templates = DemoCatalog(c.sizes).SKUs
	for page := 0; len(t.Reqs) < spec.Requests; page++ {
		if ch.PageViewsPerDay > 0 && page > 0 && page%ch.PageViewsPerDay == 0 {
			ch.newDay(rng, skus, versions)
		}
		rank := z.next()
		d := devices[weighted(rng, devW)]
		profile := c.Profiles[weighted(rng, profW)]
		for _, v := range c.pageView(skus[rank], versions[rank], d, profile, rng.Float64() < d.Zoom) {
			t.Reqs = append(t.Reqs, Request{Time: int64(len(t.Reqs)) * interval, Key: v.Key, Size: v.Size})
		}
	}
	return t, nil
}

// pageView is the image set of one page view: a thumb and the main image
// of each view, and the zoom of the first view when zoom is set.
func (c *Catalog) pageView(s SKU, versions map[string]int, d Device, profile string, zoom bool) []Variant {
	out := make([]Variant, 0, 2*len(s.Views)+1)
	for _, v := range s.Views {
		out = append(out, c.variant(s, v, versions[v], "thumb", d.Format, profile), c.variant(s, v, versions[v], d.Main, d.Format, profile))
	}
	if zoom {
		out = append(out, c.variant(s, s.Views[0], versions[s.Views[0]], "zoom", d.Format, profile))
	}
	return out
}

// checkDevices: every preset and format a device asks for must be in the
// catalog (hence in the sizes table).
func (c *Catalog) checkDevices(devices []Device) error {
	for _, d := range devices {
		for _, p := range []string{"thumb", d.Main, "zoom"} {
			if !slices.Contains(c.Presets, p) {
				return fmt.Errorf("device %s: preset %q is not in the catalog (have %v)", d.Name, p, c.Presets)
			}
		}
		if !slices.Contains(c.Formats, d.Format) {
			return fmt.Errorf("device %s: format %q is not in the catalog (have %v)", d.Name, d.Format, c.Formats)
		}
	}
	return nil
}

// newDay launches NewSKUs SKUs and re-shoots NewPhotos photos.
func (ch *Churn) newDay(rng *rand.Rand, skus []SKU, versions []map[string]int) {
	top := max(len(skus)/5, 1)
	for range ch.NewSKUs {
		r := rng.IntN(top)
		tpl := ch.templates[rng.IntN(len(ch.templates))]
		ch.launched++
		skus[r] = SKU{ID: fmt.Sprintf("%s-new%05d", tpl.ID, ch.launched), Template: tpl.ID, Views: tpl.Views}
		versions[r] = nil
	}
	for range ch.NewPhotos {
		r := rng.IntN(len(skus))
		view := skus[r].Views[rng.IntN(len(skus[r].Views))]
		if versions[r] == nil {
			versions[r] = map[string]int{}
		}
		versions[r][view]++
	}
}
