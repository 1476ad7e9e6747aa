package harness

import (
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/schollz/progressbar/v3"
)

// LoadConfig is one open-loop run.
type LoadConfig struct {
	// URLs are the request URLs in the order they are sent (warm-up first).
	URLs []string
	// IDs name the variant of each URL (for distinct counts); same length.
	IDs []int
	// Rate is requests per second: request i is due at start + i/Rate and
	// its latency is measured from that time, so a slow server cannot slow
	// the arrivals down and hide its queue (no coordinated omission).
	Rate float64
	// Warmup is how many of the first URLs are sent but not measured.
	Warmup int
	// MaxInFlight bounds concurrent requests; a request that cannot start
	// waits, and the wait counts in its latency.
	MaxInFlight int
	// Timeout bounds one request; the whole run is bounded by the schedule
	// plus Timeout plus 5 s, after which unsent requests are dropped.
	Timeout time.Duration
	// OnMeasureStart runs when the first measured request is due.
	OnMeasureStart func()
	Client         *http.Client
	Label          string
	Progress       bool
	ProgressOut    io.Writer
}

// TierNames are the tiers: "regional" for a regional cache's hit
// (X-Cache-Status), else as the origin sent in Server-Timing, plus "other"
// for a response without one.
var TierNames = []string{"regional", "l1", "l2", "render", "other"}

// cacheTiers are the tiers that are hits.
var cacheTiers = []string{"regional", "l1", "l2"}

// LoadResult is what the client saw over the measured window.
type LoadResult struct {
	Scheduled, Completed, OK, Errors, Dropped int64
	Tiers                                     map[string]int64
	TierBytes                                 map[string]int64
	Statuses                                  map[int]int64
	Hist                                      *hdrhistogram.Histogram // µs, OK responses
	Elapsed                                   time.Duration           // first measured due time to last completion
	// Over the whole run, warm-up included:
	DistinctRequested int
	HeaderRenders     map[int]int64 // variant id → responses that said tier=render
}

// TierOf reads the tier from a Server-Timing header ("tier;desc=l1, ...").
func TierOf(serverTiming string) string {
	for _, part := range strings.Split(serverTiming, ",") {
		part = strings.TrimSpace(part)
		if rest, ok := strings.CutPrefix(part, "tier;desc="); ok {
			rest = strings.Trim(strings.TrimSpace(strings.SplitN(rest, ";", 2)[0]), `"`)
			switch rest {
			case "l1", "l2", "render":
				return rest
			}
		}
	}
	return "other"
}

// RunLoad sends cfg.URLs on the open-loop schedule.
func RunLoad(ctx context.Context, cfg LoadConfig) *LoadResult {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 256
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.MaxInFlight)
	}
	total := len(cfg.URLs)
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	schedule := time.Duration(total) * interval
	ctx, cancel := context.WithTimeout(ctx, schedule+cfg.Timeout+5*time.Second)
	defer cancel()

	r := &loadRun{
		cfg: cfg, bar: newProgressBar(cfg, total), seen: map[int]bool{},
		res: &LoadResult{
			Tiers: map[string]int64{}, TierBytes: map[string]int64{}, Statuses: map[int]int64{},
			Hist: hdrhistogram.New(1, 120_000_000, 3), HeaderRenders: map[int]int64{},
		},
	}
	start := time.Now().Add(10 * time.Millisecond)
	measureStart := start.Add(time.Duration(cfg.Warmup) * interval)
	sent := r.dispatch(ctx, start, interval)
	r.wg.Wait()
	if r.bar != nil {
		_ = r.bar.Finish()
	}
	res := r.res
	res.Scheduled = int64(max(total-cfg.Warmup, 0))
	res.Dropped = int64(max(total-max(sent, cfg.Warmup), 0))
	if r.lastDone.After(measureStart) {
		res.Elapsed = r.lastDone.Sub(measureStart)
	}
	res.DistinctRequested = len(r.seen)
	return res
}

// loadRun is one RunLoad in progress; mu guards what the requests record.
type loadRun struct {
	cfg LoadConfig
	bar *progressbar.ProgressBar // nil without progress
	wg  sync.WaitGroup

	mu       sync.Mutex
	res      *LoadResult
	seen     map[int]bool
	lastDone time.Time
}

func newProgressBar(cfg LoadConfig, total int) *progressbar.ProgressBar {
	if !cfg.Progress {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(cfg.ProgressOut),
		progressbar.OptionSetDescription(cfg.Label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// dispatch starts request i at start + i×interval, or as soon after as a
// slot is free, until every URL is sent or ctx ends; it returns how many
// were sent.
func (r *loadRun) dispatch(ctx context.Context, start time.Time, interval time.Duration) int {
	sem := make(chan struct{}, r.cfg.MaxInFlight)
	for i := range r.cfg.URLs {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return i
			}
		}
		if i == r.cfg.Warmup && r.cfg.OnMeasureStart != nil {
			r.cfg.OnMeasureStart()
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return i
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-sem }()
			tier, status, n, err := fetch(ctx, r.cfg.Client, r.cfg.URLs[i], r.cfg.Timeout)
			r.record(i, time.Since(due), tier, status, n, err)
		}()
	}
	return len(r.cfg.URLs)
}

// record counts request i's outcome; latency counts from its due time.
func (r *loadRun) record(i int, lat time.Duration, tier string, status int, n int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Add(1)
	}
	id := i
	if r.cfg.IDs != nil {
		id = r.cfg.IDs[i]
	}
	r.seen[id] = true
	res := r.res
	if err == nil && status == http.StatusOK && tier == "render" {
		res.HeaderRenders[id]++
	}
	if i < r.cfg.Warmup {
		return
	}
	res.Completed++
	if now := time.Now(); now.After(r.lastDone) {
		r.lastDone = now
	}
	if err != nil || status != http.StatusOK {
		res.Errors++
		if err == nil {
			res.Statuses[status]++
		}
		return
	}
	res.OK++
	res.Statuses[status]++
	res.Tiers[tier]++
	res.TierBytes[tier] += n
	_ = res.Hist.RecordValue(max(lat.Microseconds(), 1))
}

func fetch(ctx context.Context, client *http.Client, url string, timeout time.Duration) (tier string, status int, n int64, err error) {
	return fetchAs(ctx, client, url, "image/avif,image/webp,image/*", timeout)
}

// fetchAs GETs url with an Accept header and drains the body. The tier is
// "regional" when a regional cache answered (X-Cache-Status HIT, or a
// stale copy it served), else the origin's Server-Timing tier.
func fetchAs(ctx context.Context, client *http.Client, url, accept string, timeout time.Duration) (tier string, status int, n int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", 0, 0, err
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, 0, err
	}
	defer resp.Body.Close()
	n, err = io.Copy(io.Discard, resp.Body)
	switch resp.Header.Get("X-Cache-Status") {
	case "HIT", "STALE", "UPDATING", "REVALIDATED":
		return "regional", resp.StatusCode, n, err
	}
	return TierOf(resp.Header.Get("Server-Timing")), resp.StatusCode, n, err
}

// NewClient is an HTTP client that keeps enough idle connections for the
// run's concurrency and never decompresses.
func NewClient(maxConns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: maxConns, MaxIdleConnsPerHost: maxConns, DisableCompression: true,
		IdleConnTimeout: 30 * time.Second,
	}}
}

// Latency is a latency summary in milliseconds.
type Latency struct {
	P50, P90, P99, P999, Max, Mean float64
}

// CDFPoint is one point of a latency CDF: quantile (0..1) and ms.
type CDFPoint struct {
	Q  float64 `json:"q"`
	Ms float64 `json:"ms"`
}

func ms(us int64) float64 { return float64(us) / 1000 }

// Summary reads the histogram.
func (r *LoadResult) Summary() Latency {
	h := r.Hist
	if h.TotalCount() == 0 {
		return Latency{}
	}
	return Latency{
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()), Mean: h.Mean() / 1000,
	}
}

// CDF samples the latency distribution at quantiles spaced evenly in
// log(1/(1-q)), so the tail is drawn as finely as the body.
func (r *LoadResult) CDF() []CDFPoint {
	h := r.Hist
	if h.TotalCount() == 0 {
		return nil
	}
	out := []CDFPoint{{Q: 0, Ms: ms(h.Min())}}
	for x := 0.05; x <= 4.0001; x += 0.05 { // q from 0.11 to 0.9999
		q := 1 - math.Pow(10, -x)
		out = append(out, CDFPoint{Q: q, Ms: ms(h.ValueAtQuantile(q * 100))})
	}
	out = append(out, CDFPoint{Q: 1, Ms: ms(h.Max())})
	return out
}
