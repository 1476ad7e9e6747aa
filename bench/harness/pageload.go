package harness

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// PageLoadConfig is one open-loop run of page views.
type PageLoadConfig struct {
	Pages []Page
	// Rate is page views per second: page i is due at start + i/Rate and
	// its page-complete time counts from then (no coordinated omission).
	// 0 sends every page at once, MaxPages at a time: a closed-loop probe.
	Rate     float64
	Conns    int // parallel fetches within a page (a browser's 6)
	MaxPages int // pages in flight at most
	// Timeout bounds one request; the run is bounded by the schedule plus
	// 2 × Timeout plus 5 s, after which unsent pages are dropped.
	Timeout time.Duration
	Client  *http.Client
	// Trace, when set, records the requests that reached the origin.
	Trace *traceRecorder
}

// PageLoadResult is what the edge saw.
type PageLoadResult struct {
	Pages, PagesOK, PagesDropped int64
	Requests, OK, Errors         int64
	Tiers, TierBytes             map[string]int64
	Accepts, Devices             map[string]int64
	Failures                     map[string]int64        // error responses by status or error, e.g. "404", "timeout"
	ReqHist, PageHist            *hdrhistogram.Histogram // µs
	Elapsed                      time.Duration
	// Windows are the cache hit ratios of consecutive windows of requests
	// in completion order (see RunPages' window argument).
	Windows []float64
}

// RunPages sends the page views; window > 0 records the hit ratio of
// every window requests into Windows.
func RunPages(ctx context.Context, cfg PageLoadConfig, window int) *PageLoadResult {
	cfg.Conns = max(cfg.Conns, 1)
	cfg.MaxPages = max(cfg.MaxPages, 1)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.MaxPages * cfg.Conns)
	}
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.Rate)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(cfg.Pages))*interval+2*cfg.Timeout+5*time.Second)
	defer cancel()
	r := &pageRun{cfg: cfg, window: window, res: &PageLoadResult{
		Tiers: map[string]int64{}, TierBytes: map[string]int64{}, Accepts: map[string]int64{}, Devices: map[string]int64{},
		Failures: map[string]int64{},
		ReqHist:  hdrhistogram.New(1, 120_000_000, 3), PageHist: hdrhistogram.New(1, 120_000_000, 3),
	}}
	start := time.Now().Add(10 * time.Millisecond)
	sem := make(chan struct{}, cfg.MaxPages)
	var wg sync.WaitGroup
	sent := 0
dispatch:
	for i, p := range cfg.Pages {
		due := start.Add(time.Duration(i) * interval)
		if !sleepUntil(ctx, due) {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break dispatch
		}
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.page(ctx, p, due)
		}()
	}
	wg.Wait()
	r.res.PagesDropped = int64(len(cfg.Pages) - sent)
	if r.lastDone.After(start) {
		r.res.Elapsed = r.lastDone.Sub(start)
	}
	return r.res
}

func sleepUntil(ctx context.Context, due time.Time) bool {
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

type pageRun struct {
	cfg    PageLoadConfig
	window int

	mu         sync.Mutex
	res        *PageLoadResult
	lastDone   time.Time
	winN, winH int
}

// page fetches a page's images over Conns parallel fetches, as a browser
// does, and records the page-complete time (its last image) from due.
func (r *pageRun) page(ctx context.Context, p Page, due time.Time) {
	next := make(chan string, len(p.URLs))
	for _, u := range p.URLs {
		next <- u
	}
	close(next)
	ok := true
	var okMu sync.Mutex
	var wg sync.WaitGroup
	for range min(r.cfg.Conns, len(p.URLs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range next {
				t0 := time.Now()
				tier, status, n, err := fetchAs(ctx, r.cfg.Client, u, p.Accept, r.cfg.Timeout)
				good := err == nil && status == http.StatusOK
				r.request(time.Since(t0), u, p.Accept, tier, n, failure(status, err))
				if !good {
					okMu.Lock()
					ok = false
					okMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Pages++
	res.Accepts[acceptName(p.Accept)]++
	res.Devices[p.Device]++
	if ok {
		res.PagesOK++
		_ = res.PageHist.RecordValue(max(time.Since(due).Microseconds(), 1))
	}
}

// failure names what went wrong with a request, "" when nothing did.
func failure(status int, err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case err != nil:
		return "error"
	case status != http.StatusOK:
		return strconv.Itoa(status)
	}
	return ""
}

func (r *pageRun) request(lat time.Duration, url, accept, tier string, n int64, failed string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Requests++
	if now := time.Now(); now.After(r.lastDone) {
		r.lastDone = now
	}
	if failed != "" {
		res.Errors++
		res.Failures[failed]++
		return
	}
	res.OK++
	r.cfg.Trace.add(url, accept, tier, n)
	res.Tiers[tier]++
	res.TierBytes[tier] += n
	_ = res.ReqHist.RecordValue(max(lat.Microseconds(), 1))
	if r.window <= 0 {
		return
	}
	r.winN++
	if tier == "regional" || tier == "l1" || tier == "l2" {
		r.winH++
	}
	if r.winN == r.window {
		res.Windows = append(res.Windows, float64(r.winH)/float64(r.winN))
		r.winN, r.winH = 0, 0
	}
}

// settled reports whether the last two windows' hit ratios differ by less than delta.
func settled(windows []float64, delta float64) bool {
	n := len(windows)
	if n < 2 {
		return false
	}
	d := windows[n-1] - windows[n-2]
	return d < delta && -d < delta
}
