package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

// The traffic mix, in percent of requests.
const (
	pctRepeated = 50 // preset variants from a fixed set: L1 hits once warm
	pctDistinct = 20 // ad-hoc variants never asked before: renders, L1 churn
	pctRoute    = 20 // GET /route
	pctPatch    = 5  // PATCH /admin/inventory/eu-waw
	// the rest: GET /admin/rules/versions
)

// pause is each client's think time between requests: the soak holds a
// steady load, it does not look for the saturation point.
const pause = 5 * time.Millisecond

// traffic sends the soak's mixed requests to one server.
type traffic struct {
	base, token string
	client      *http.Client
	workers     int
	seed        uint64
	// flapping: S3 goes down during the run, so a 503 with Retry-After is
	// an allowed (shed) answer, counted apart. A render shed by the render
	// queue's wait bound (503 render_busy + Retry-After) is one too: the
	// server's designed answer to a burst of misses (the soak's first
	// seconds, an empty L1 and four clients on two render slots), which a
	// client retries. evaluate bounds how many there may be.
	flapping bool
	shed     atomic.Int64

	repeated []string
	sources  []string // sku/view of every master photo
	distinct atomic.Int64

	patchMu  sync.Mutex // PATCHes go in seq order
	patchSeq int64

	// quiet is held by each request (read) and by the sampler (write), so
	// samples are taken between requests: see server.sample.
	quiet sync.RWMutex

	requests, failures atomic.Int64
	mu                 sync.Mutex
	firstFailures      []string
	byKind             map[string]int64
	slowest            map[string]time.Duration // by kind
}

func newTraffic(base, token string, opts options) (*traffic, error) {
	sources, err := demoSources()
	if err != nil {
		return nil, err
	}
	t := &traffic{
		base: base, token: token, workers: opts.workers, seed: opts.seed, sources: sources, flapping: opts.s3Flap > 0,
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
			MaxIdleConnsPerHost: opts.workers + 2,
		}},
		// Above the demo's seq 1 and any earlier run's on a reused store.
		patchSeq: time.Now().Unix(),
		byKind:   map[string]int64{},
		slowest:  map[string]time.Duration{},
	}
	for _, src := range sources {
		for _, preset := range []string{"thumb", "card"} {
			for _, format := range []string{"webp", "jpg"} {
				t.repeated = append(t.repeated, fmt.Sprintf("/img/%s/%s.%s", src, preset, format))
			}
		}
	}
	return t, nil
}

// demoSources lists the demo's master photos as sku/view.
func demoSources() ([]string, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(filepath.Join(root, "demo", "originals", "*", "*.jpg"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		view := strings.TrimSuffix(filepath.Base(m), ".jpg")
		if strings.Contains(view, "@") {
			continue // a hub's photo
		}
		out = append(out, filepath.Base(filepath.Dir(m))+"/"+view)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no photos in %s", filepath.Join(root, "demo", "originals"))
	}
	sort.Strings(out)
	return out, nil
}

// distinctPath is the n-th never-seen variant: every source at each width
// of 100..1199 in JPEG, then in WebP, before any repeats. Widths are
// visited in a scrambled order (397 and 1,100 are coprime), so small and
// large variants mix from the start and L1 fills at its steady rate.
func (t *traffic) distinctPath(n int64) string {
	src := t.sources[n%int64(len(t.sources))]
	n /= int64(len(t.sources))
	format := []string{"jpg", "webp"}[n/1100%2]
	return fmt.Sprintf("/img/%s/_.%s?w=%d", src, format, 100+n*397%1100)
}

var routeDestinations = []struct{ country, locale string }{
	{"DE", "de-DE"}, {"PL", "pl-PL"}, {"US", "en-US"}, {"FR", "fr-FR"}, {"GB", "en-GB"}, {"JP", "ja-JP"},
}

// run starts the clients; the returned channel closes when all have
// stopped, after ctx ends.
func (t *traffic) run(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range t.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(t.seed, uint64(w))) //nolint:gosec // a traffic mix, not a secret
			for ctx.Err() == nil {
				t.quiet.RLock()
				t.one(ctx, rng)
				t.quiet.RUnlock()
				select {
				case <-ctx.Done():
				case <-time.After(pause):
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		t.client.CloseIdleConnections()
		close(done)
	}()
	return done
}

// one sends one request of the mix.
func (t *traffic) one(ctx context.Context, rng *rand.Rand) {
	switch p := rng.IntN(100); {
	case p < pctRepeated:
		t.send(ctx, "variant-repeated", http.MethodGet, t.repeated[rng.IntN(len(t.repeated))], "")
	case p < pctRepeated+pctDistinct:
		t.send(ctx, "variant-distinct", http.MethodGet, t.distinctPath(t.distinct.Add(1)-1), "")
	case p < pctRepeated+pctDistinct+pctRoute:
		d := routeDestinations[rng.IntN(len(routeDestinations))]
		sku := strings.Split(t.sources[rng.IntN(len(t.sources))], "/")[0]
		q := url.Values{"sku": {sku}, "qty": {"1"}, "country": {d.country}, "locale": {d.locale}}
		t.send(ctx, "route", http.MethodGet, "/route?"+q.Encode(), "")
	case p < pctRepeated+pctDistinct+pctRoute+pctPatch:
		t.patchMu.Lock()
		t.patchSeq++
		// +1 then -1: the stock stays where it was.
		delta := 1 - 2*(t.patchSeq%2)
		body := fmt.Sprintf(`{"seq": %d, "items": {"label-mug": %d}}`, t.patchSeq, delta)
		t.send(ctx, "admin-patch", http.MethodPatch, "/admin/inventory/eu-waw", body)
		t.patchMu.Unlock()
	default:
		t.send(ctx, "admin-rules", http.MethodGet, "/admin/rules/versions", "")
	}
}

// send makes one request and counts it; anything but a 2xx with a whole
// body is a failure (a request cut off by the end of the run is not sent).
func (t *traffic) send(ctx context.Context, kind, method, path, body string) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, rd)
	if err != nil {
		t.fail(kind, path, err.Error())
		return
	}
	if strings.HasPrefix(path, "/admin/") {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := t.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			t.fail(kind, path, err.Error())
		}
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil && ctx.Err() != nil:
		return
	case err != nil:
		t.fail(kind, path, "reading the body: "+err.Error())
	case flapAllows(resp.StatusCode, resp.Header.Get("Retry-After")) && (t.flapping || renderBusy(b)):
		t.shed.Add(1)
		t.note(kind, time.Since(start))
	case resp.StatusCode/100 != 2:
		t.fail(kind, path, fmt.Sprintf("%d %.200s", resp.StatusCode, b))
	default:
		t.note(kind, time.Since(start))
	}
}

// note counts an answered request and its latency.
func (t *traffic) note(kind string, took time.Duration) {
	t.requests.Add(1)
	t.mu.Lock()
	t.byKind[kind]++
	t.slowest[kind] = max(t.slowest[kind], took)
	t.mu.Unlock()
}

func (t *traffic) fail(kind, path, why string) {
	t.requests.Add(1)
	t.failures.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.firstFailures) < 5 {
		t.firstFailures = append(t.firstFailures, kind+" "+path+": "+why)
		fmt.Fprintf(os.Stderr, "soak: %s %s failed: %s\n", kind, path, why)
	}
}

func (t *traffic) counts() (requests, failures int64) {
	return t.requests.Load(), t.failures.Load()
}

// trafficStats is what the run sent, for the report.
type trafficStats struct {
	requests, failures int64
	shed               int64 // 503 + Retry-After while S3 was down (--s3-flap)
	firstFailures      []string
	byKind             map[string]int64
	slowest            map[string]time.Duration
}

func (t *traffic) stats() trafficStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	by := make(map[string]int64, len(t.byKind))
	for k, v := range t.byKind {
		by[k] = v
	}
	slowest := make(map[string]time.Duration, len(t.slowest))
	for k, v := range t.slowest {
		slowest[k] = v
	}
	return trafficStats{
		requests: t.requests.Load(), failures: t.failures.Load(), shed: t.shed.Load(),
		firstFailures: append([]string(nil), t.firstFailures...), byKind: by, slowest: slowest,
	}
}

// renderBusy reports whether an error body is the render queue's shed.
func renderBusy(body []byte) bool {
	return bytes.Contains(body, []byte(`"code":"render_busy"`))
}
