package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/harness"
)

// pageFlags are the page-views scenario's flags (and the WAN links, which
// every scenario crosses when set).
type pageFlags struct {
	regionBytes, prices, sweep, rates string
}

func (p *pageFlags) register(fs *flag.FlagSet, o *harness.Options) {
	fs.DurationVar(&o.RegionLatency, "region-latency", 0, "one-way WAN latency edge → region (page-views default 15ms)")
	fs.DurationVar(&o.RegionJitter, "region-jitter", 0, "± uniform jitter on --region-latency (page-views default 3ms)")
	fs.DurationVar(&o.OriginLatency, "origin-latency", 0, "one-way WAN latency region → origin (page-views default 30ms)")
	fs.DurationVar(&o.OriginJitter, "origin-jitter", 0, "± uniform jitter on --origin-latency (page-views default 5ms)")
	fs.StringVar(&p.regionBytes, "region-bytes", "1GiB", "size of the regional nginx cache (proxy_cache_path max_size)")
	fs.StringVar(&p.prices, "prices", "", "page-views: JSON price table (default: example list prices, see bench/README.md)")
	po := &o.Pages
	fs.Float64Var(&po.Rate, "page-rate", 0, "page-views: page views per second for every layout, without a capacity probe (0: probe each layout, measure at a step under 70 % of it)")
	fs.StringVar(&p.rates, "page-rates", "", "page-views: layout=pages/s,... pins those layouts' measured rate after their probe (same load on every run of the command)")
	fs.IntVar(&po.Measured, "page-requests", 20000, "page-views: measured requests per layout (whole pages)")
	fs.IntVar(&po.Conns, "page-conns", 6, "page-views: parallel image fetches per page view")
	fs.Float64Var(&po.MobileShare, "mobile-share", 0.6, "page-views: share of page views from phones (pdp + thumbs); the rest desktop (pdp + cards + zoom)")
	fs.Float64Var(&po.AVIFShare, "avif-share", 0.5, "page-views: share of page views whose Accept has AVIF")
	fs.Float64Var(&po.WebPShare, "webp-share", 0.35, "page-views: share whose Accept has WebP but no AVIF (the rest: JPEG only)")
	fs.IntVar(&po.DayPages, "day-pages", 5000, "page-views: page views per simulated day (catalog churn step; 0: no churn)")
	fs.IntVar(&po.ChurnSKUs, "churn-skus", 10, "page-views: new SKUs per simulated day, entering at the top of the popularity ranking")
	fs.IntVar(&po.SteadyWindow, "steady-window", 1000, "page-views: warm-up window (requests)")
	fs.Float64Var(&po.SteadyDelta, "steady-delta", 0.01, "page-views: steady once two consecutive windows' hit ratios differ by less than this")
	fs.IntVar(&po.MaxWarm, "max-warm", 30000, "page-views: most warm-up requests per layout (the report says when it did not settle)")
	fs.StringVar(&p.sweep, "page-sweep", "0.4,1", "page-views: fractions of the probed capacity run after the measured phase for the page p99 vs rate plot (\"\": none)")
	fs.Float64Var(&po.SweepSeconds, "page-sweep-seconds", 15, "page-views: about how long each --page-sweep point runs (at least 40 pages)")
}

// apply converts the string flags and fills the page-views defaults of
// the links not given.
func (p *pageFlags) apply(o *harness.Options, set map[string]bool) error {
	var err error
	if o.RegionBytes, err = size(p.regionBytes); err != nil {
		return err
	}
	if o.Prices, err = harness.LoadPrices(p.prices); err != nil {
		return err
	}
	if o.Pages.Sweep, err = parseList(p.sweep, "--page-sweep", rate); err != nil {
		return err
	}
	if o.Pages.Rates, err = layoutRates(p.rates); err != nil {
		return err
	}
	if o.Scenario != "page-views" {
		return nil
	}
	defaults := []struct {
		name string
		dst  *time.Duration
		val  time.Duration
	}{
		{"region-latency", &o.RegionLatency, 15 * time.Millisecond}, {"region-jitter", &o.RegionJitter, 3 * time.Millisecond},
		{"origin-latency", &o.OriginLatency, 30 * time.Millisecond}, {"origin-jitter", &o.OriginJitter, 5 * time.Millisecond},
	}
	for _, d := range defaults {
		if !set[d.name] {
			*d.dst = d.val
		}
	}
	return nil
}

// layoutRates parses --page-rates: "none=5,l1=12".
func layoutRates(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, item := range split(s) {
		name, val, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("--page-rates: %q is not layout=pages/s", item)
		}
		if _, err := harness.LayoutByName(name, 0); err != nil {
			return nil, fmt.Errorf("--page-rates: %w", err)
		}
		r, err := rate(val)
		if err != nil {
			return nil, fmt.Errorf("--page-rates %s: %w", name, err)
		}
		out[name] = r
	}
	return out, nil
}

// checkPinnedRates rejects --page-rates that would not take effect: with
// --page-rate (no probe to pin after) or naming a layout not measured.
func checkPinnedRates(o harness.Options) error {
	if len(o.Pages.Rates) == 0 {
		return nil
	}
	if o.Pages.Rate > 0 {
		return fmt.Errorf("--page-rates and --page-rate: give one (--page-rate skips the probe --page-rates pins after)")
	}
	for name := range o.Pages.Rates {
		if !slices.Contains(o.Layouts, name) {
			return fmt.Errorf("--page-rates names %s, which --layouts (%s) does not run", name, strings.Join(o.Layouts, ","))
		}
	}
	return nil
}
