package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/edgeshelf/edgeshelf/store"
)

// PageRunResult is one layout under the product-page workload, measured
// in steady state.
type PageRunResult struct {
	Layout     string  `json:"layout"`
	Topology   string  `json:"topology"`
	L1Bytes    int64   `json:"l1_bytes"`
	Regional   bool    `json:"regional"`
	L2         bool    `json:"l2"`
	SKUs       int     `json:"skus_on_sale"`
	CatalogSKU int     `json:"catalog_skus"` // with the SKUs churn brings in
	PageRate   float64 `json:"page_rate"`    // page views per second, measured phase
	Capacity   float64 `json:"capacity_pages_per_s,omitempty"`
	RatePinned bool    `json:"rate_pinned,omitempty"` // --page-rates set PageRate

	WarmRequests int       `json:"warm_requests"`
	Settled      bool      `json:"settled"`
	WarmWindows  []float64 `json:"warm_window_hit_ratios"`

	Pages, PagesOK, PagesDropped int64
	Requests, OK, Errors         int64
	ImagesPerPage                float64            `json:"images_per_page"`
	Tiers                        map[string]int64   `json:"tiers"`
	HitRatio                     map[string]float64 `json:"hit_ratio"`
	CacheHitRatio                float64            `json:"cache_hit_ratio"`
	EdgeRequests                 int64              `json:"edge_requests"`   // sent by the edge, measured phase
	OriginRequests               int64              `json:"origin_requests"` // answered by the origin, measured phase
	RequestLatency               Latency            `json:"request_latency_ms"`
	PageLatency                  Latency            `json:"page_complete_ms"`
	PageCDF                      []CDFPoint         `json:"page_cdf"`
	S3Gets, S3Puts, OriginBytes  int64
	Renders                      int64            `json:"renders"` // measured phase
	RendersPer1k                 float64          `json:"renders_per_1k"`
	S3Per1k                      float64          `json:"s3_requests_per_1k"` // GETs + PUTs per 1,000 edge requests
	CPUSeconds                   float64          `json:"cpu_seconds"`
	Cost                         Cost             `json:"cost_per_million_pages"`
	Failures                     map[string]int64 `json:"failures,omitempty"`
	RateCurve                    []RatePoint      `json:"rate_curve,omitempty"`
	L1Policy                     string           `json:"l1_policy,omitempty"`
	BudgetCurve                  []BudgetPoint    `json:"l1_budget_curve,omitempty"`
	Accepts, Devices             map[string]int64 `json:"-"`
}

// pageViews runs the product-page workload over every layout.
func (e *env) pageViews(ctx context.Context) ([]*PageRunResult, error) {
	po := e.opts.Pages
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	// Enough SKUs for the churn of the longest run: warm-up plus measured.
	maxPages := (po.MaxWarm+po.Measured)/2 + 1
	days := 0
	if po.DayPages > 0 {
		days = maxPages/po.DayPages + 1
	}
	c, err := GenerateCatalog(e.opts.DemoDir, e.opts.SKUs+days*po.ChurnSKUs, e.opts.MaxViews)
	if err != nil {
		return nil, err
	}
	if e.opts.URLTemplate != "" {
		pr, err := e.pageExternal(ctx, c)
		if err != nil {
			return nil, err
		}
		return []*PageRunResult{pr}, nil
	}
	e.say("page-views: %d layouts × (≤ %d warm-up + %d measured requests); %s", len(layouts), po.MaxWarm, po.Measured, wallTimeNote(po, len(layouts)))
	var out []*PageRunResult
	for _, l := range layouts {
		pr, err := e.pageLayout(ctx, c, l)
		if err != nil {
			return out, err
		}
		out = append(out, pr)
	}
	return out, nil
}

// pageLayout starts the layout's stack and runs probe, warm-up and the
// measured phase on it.
func (e *env) pageLayout(ctx context.Context, c *Catalog, l Layout) (*PageRunResult, error) {
	l.PatientRenders = true
	orig, err := e.originals(ctx, c)
	if err != nil {
		return nil, err
	}
	counters := &StoreCounters{}
	var results *DelayBlob
	if l.L2 {
		r, err := e.newResults(ctx)
		if err != nil {
			return nil, err
		}
		results = NewDelayBlob(r, e.opts.S3Latency, e.opts.S3Jitter, counters)
	}
	o, err := StartOrigin(ctx, l, NewDelayBlob(orig, e.opts.S3Latency, e.opts.S3Jitter, counters), nilIfNone(results), e.tmp, e.log)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	st, err := e.startStack(ctx, l, o)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pr := &PageRunResult{Layout: l.Name, Topology: Topology(l), L1Bytes: l.L1Bytes, Regional: l.Regional, L2: l.L2,
		SKUs: e.opts.SKUs, CatalogSKU: len(c.SKUs)}
	g := newPageGen(c, e.opts.SKUs, e.opts.Locales, e.opts.Pages, e.opts.ZipfS, e.opts.Seed)
	ph := pagePhases{e: e, g: g, base: st.URL, pr: pr, trace: &traceRecorder{}}
	m := newMeter(counters, &o.Renders)
	var req0 int64
	lr, err := ph.measure(ctx, func() { m.mark(); req0 = o.ImageRequests() })
	if err != nil {
		return nil, err
	}
	pr.OriginRequests = o.ImageRequests() - req0
	d := counters.Snapshot().Sub(m.calls0)
	pr.S3Gets, pr.S3Puts, pr.CPUSeconds = d.Gets, d.Puts, (cpuTime() - m.cpu0).Seconds()
	pr.Renders = o.Renders.Load() - m.rend0
	fillPageRun(pr, lr, e.opts.Prices)
	pr.RendersPer1k, pr.S3Per1k = per1k(pr.Renders, pr.Requests), per1k(pr.S3Gets+pr.S3Puts, pr.Requests)
	e.say("  %-12s %5.1f pages/s  page p50 %7.1f ms  p99 %7.1f ms  request p99 %7.1f ms  hits %.2f (regional %.2f)  origin saw %d of %d  $%.2f/M pages",
		pr.Layout, pr.PageRate, pr.PageLatency.P50, pr.PageLatency.P99, pr.RequestLatency.P99, pr.CacheHitRatio, pr.HitRatio["regional"],
		pr.OriginRequests, pr.EdgeRequests, pr.Cost.USD)
	if l.L1Bytes > 0 {
		pr.L1Policy = o.Policy
		if pr.BudgetCurve, err = budgetCurve(ph.trace, o.Policy, l.L1Bytes, ph.measuredFrom); err != nil {
			return nil, err
		}
	}
	ph.sweep(ctx)
	return pr, nil
}

// pageExternal runs probe, warm-up and the measured phase against the
// origin --url names, which must serve the generated catalog's SKUs. What
// happens behind it (S3 calls, CPU, renders) is not seen from here, so
// those figures and the cost stay empty; the tiers come from its
// X-Cache-Status and Server-Timing headers, as for the layouts.
func (e *env) pageExternal(ctx context.Context, c *Catalog) (*PageRunResult, error) {
	pr := &PageRunResult{Layout: externalLayout, Topology: "edge ──▶ " + e.opts.URLTemplate, SKUs: e.opts.SKUs, CatalogSKU: len(c.SKUs)}
	g := newPageGen(c, e.opts.SKUs, e.opts.Locales, e.opts.Pages, e.opts.ZipfS, e.opts.Seed)
	ph := pagePhases{e: e, g: g, pr: pr}
	e.say("page-views against %s: ≤ %d warm-up + %d measured requests", e.opts.URLTemplate, e.opts.Pages.MaxWarm, e.opts.Pages.Measured)
	lr, err := ph.measure(ctx, nil)
	if err != nil {
		return nil, err
	}
	fillPageRun(pr, lr, e.opts.Prices)
	pr.Cost = Cost{} // its store calls and CPU are not seen from here
	e.say("  %-12s %5.1f pages/s  page p50 %7.1f ms  p99 %7.1f ms  request p99 %7.1f ms  hits %.2f",
		pr.Layout, pr.PageRate, pr.PageLatency.P50, pr.PageLatency.P99, pr.RequestLatency.P99, pr.CacheHitRatio)
	ph.sweep(ctx)
	return pr, nil
}

// nilIfNone keeps a nil *DelayBlob from becoming a non-nil store.Blob.
func nilIfNone(d *DelayBlob) store.Blob {
	if d == nil {
		return nil
	}
	return d
}

type pagePhases struct {
	e    *env
	g    *pageGen
	base string
	pr   *PageRunResult
	// trace, when set, records what reached the origin in every phase;
	// measuredFrom is where the measured phase begins in it.
	trace        *traceRecorder
	measuredFrom int
}

// pagesFor draws page views until they hold at least requests images.
func (ph *pagePhases) pagesFor(requests int) []Page {
	var out []Page
	for n := 0; n < requests; n += len(out[len(out)-1].URLs) {
		out = append(out, ph.g.next(ph.base, ph.e.opts.URLTemplate))
	}
	return out
}

// measure runs the warm-up (closed loop unless --page-rate), the rate
// probe on the warm cache (unless --page-rate) and the measured phase;
// marked, when not nil, runs just before the measured phase, for the
// counters that must cover it alone. Probing after the warm-up loads each
// layout at 70 % of what it sustains in steady state: a probe on a cold
// cache measured the cached layouts at their render-bound cold capacity.
func (ph *pagePhases) measure(ctx context.Context, marked func()) (*PageLoadResult, error) {
	ph.pr.PageRate = ph.e.opts.Pages.Rate
	ph.warm(ctx)
	if err := ph.rate(ctx); err != nil {
		return nil, err
	}
	if marked != nil {
		marked()
	}
	if ph.trace != nil {
		ph.measuredFrom = len(ph.trace.reqs)
	}
	lr := ph.run(ctx, ph.pagesFor(ph.e.opts.Pages.Measured), 0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return lr, nil
}

// run sends pages open loop at the layout's page rate, or closed loop
// with probePages in flight before the rate is known (the warm-up).
func (ph *pagePhases) run(ctx context.Context, pages []Page, window int) *PageLoadResult {
	return ph.runAt(ctx, pages, ph.pr.PageRate, window)
}

// runAt sends pages open loop at rate pages/s, or closed loop with
// probePages in flight when rate is 0.
func (ph *pagePhases) runAt(ctx context.Context, pages []Page, rate float64, window int) *PageLoadResult {
	inFlight := max(ph.e.opts.MaxInFlight/max(ph.e.opts.Pages.Conns, 1), 1)
	if rate <= 0 {
		inFlight = probePages
	}
	return RunPages(ctx, PageLoadConfig{Pages: pages, Rate: rate, Conns: ph.e.opts.Pages.Conns,
		MaxPages: inFlight, Timeout: ph.e.opts.Timeout, Trace: ph.trace}, window)
}

// probePages is the closed loop's pages in flight: enough to keep both
// render slots and the links busy on a small machine.
const probePages = 8

// rate is --page-rate, or steadyRate of what a short closed-loop probe
// (probePages in flight) completes per second on this layout.
func (ph *pagePhases) rate(ctx context.Context) error {
	if r := ph.e.opts.Pages.Rate; r > 0 {
		ph.pr.PageRate = r
		return nil
	}
	lr := ph.runAt(ctx, ph.pagesFor(ph.e.opts.Pages.SteadyWindow), 0, 0)
	if err := ctx.Err(); err != nil {
		return err
	}
	ph.pr.Capacity = float64(lr.PagesOK) / max(lr.Elapsed.Seconds(), 1e-3)
	ph.pr.PageRate = steadyRate(ph.pr.Capacity)
	if r, ok := ph.e.opts.Pages.Rates[ph.pr.Layout]; ok {
		ph.pr.PageRate, ph.pr.RatePinned = r, true
		if r > maxLoad*ph.pr.Capacity {
			ph.e.say("  %-12s WARNING: --page-rates %s=%g is %.0f %% of the probed capacity, above %.0f %%: its p99 measures queueing",
				ph.pr.Layout, ph.pr.Layout, r, 100*r/ph.pr.Capacity, 100*maxLoad)
		}
	}
	po := ph.e.opts.Pages
	left := time.Duration((float64(po.Measured)/(ph.pr.PageRate*meanImagesPerPage) + float64(len(po.Sweep))*po.SweepSeconds) * float64(time.Second))
	how := "open loop"
	if ph.pr.RatePinned {
		how = "open loop, pinned by --page-rates"
	}
	ph.e.say("  %-12s warm (%d requests, settled %v); capacity probe: %.1f pages/s closed loop → %.1f pages/s %s; measuring and the rate sweep take about %s",
		ph.pr.Layout, ph.pr.WarmRequests, ph.pr.Settled, ph.pr.Capacity, ph.pr.PageRate, how, left.Round(time.Second))
	return nil
}

// warm sends windows of SteadyWindow requests until two consecutive
// windows' hit ratios differ by less than SteadyDelta, or MaxWarm requests.
func (ph *pagePhases) warm(ctx context.Context) {
	po := ph.e.opts.Pages
	for ph.pr.WarmRequests < po.MaxWarm && ctx.Err() == nil {
		lr := ph.run(ctx, ph.pagesFor(po.SteadyWindow), 0)
		ph.pr.WarmRequests += int(lr.Requests)
		ph.pr.WarmWindows = append(ph.pr.WarmWindows, hitRatioOf(lr.Tiers, lr.OK))
		if settled(ph.pr.WarmWindows, po.SteadyDelta) {
			ph.pr.Settled = true
			return
		}
	}
}

func hitRatioOf(tiers map[string]int64, ok int64) float64 {
	var h int64
	for _, t := range cacheTiers {
		h += tiers[t]
	}
	return ratio(h, ok)
}

func fillPageRun(pr *PageRunResult, lr *PageLoadResult, prices Prices) {
	pr.Pages, pr.PagesOK, pr.PagesDropped = lr.Pages, lr.PagesOK, lr.PagesDropped
	pr.Requests, pr.OK, pr.Errors, pr.EdgeRequests = lr.Requests, lr.OK, lr.Errors, lr.Requests
	pr.ImagesPerPage = ratio(lr.Requests, lr.Pages)
	pr.Tiers, pr.HitRatio = map[string]int64{}, map[string]float64{}
	for _, t := range TierNames {
		pr.Tiers[t] = lr.Tiers[t]
		pr.HitRatio[t] = ratio(lr.Tiers[t], lr.OK)
		if t != "regional" {
			pr.OriginBytes += lr.TierBytes[t]
		}
	}
	pr.CacheHitRatio = hitRatioOf(lr.Tiers, lr.OK)
	pr.RequestLatency = histSummary(lr.ReqHist)
	pr.PageLatency = histSummary(lr.PageHist)
	pr.PageCDF = (&LoadResult{Hist: lr.PageHist}).CDF()
	pr.Accepts, pr.Devices, pr.Failures = lr.Accepts, lr.Devices, lr.Failures
	pr.Cost = costPerMillion(prices, lr.Pages, pr.S3Gets, pr.S3Puts, pr.OriginBytes, pr.CPUSeconds)
}

func histSummary(h *hdrhistogram.Histogram) Latency {
	return (&LoadResult{Hist: h}).Summary()
}

// meanImagesPerPage is what the default device mix fetched per page view
// on the generated catalogs (2.88–2.90 in the 1,000-SKU runs), for the
// wall-time estimates.
const meanImagesPerPage = 2.9

// wallTimeNote predicts the run's wall time from the page rate and the
// mean page.
func wallTimeNote(po PageOptions, layouts int) string {
	if po.Rate <= 0 {
		return "the rate comes from each layout's capacity probe (or --page-rates after it), so the time is printed per layout after the probe"
	}
	worst := time.Duration(float64(layouts*(po.MaxWarm+po.Measured)) / (po.Rate * meanImagesPerPage) * float64(time.Second))
	best := time.Duration(float64(layouts*(2*po.SteadyWindow+po.Measured)) / (po.Rate * meanImagesPerPage) * float64(time.Second))
	return fmt.Sprintf("at %.1f pages/s this takes %s – %s (settling fast – never)", po.Rate, best.Round(time.Second), worst.Round(time.Second))
}
