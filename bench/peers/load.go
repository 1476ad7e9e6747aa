package peers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/edgeshelf/edgeshelf/bench/harness"
)

// Load is one closed-loop run against one server: Concurrency clients,
// each sending its next request as soon as its last one is answered (as
// `wrk -c` does), so the server is kept exactly this busy and its
// throughput is what it can render. The harness's open-loop generator
// measures latency under a set arrival rate instead; renders per second at
// saturation need this shape.
type Load struct {
	Variants    []Variant
	Concurrency int
	// Duration > 0: cycle through Variants until it has passed.
	// Duration 0: send each variant exactly once (cold originals).
	Duration time.Duration
	Timeout  time.Duration
}

// Measured is what one Load saw, and the server's CPU time over it.
type Measured struct {
	OK, Failed int64
	Bytes      int64
	ICCBytes   int64 // of Bytes, the embedded ICC profiles'
	Elapsed    time.Duration
	CPU        time.Duration
	// NotRendered counts edgeshelf responses whose Server-Timing named a
	// cache tier: with caches off there must be none.
	NotRendered int64
	// Duplicates counts requests sent while the same variant was already in
	// flight: a server may answer both from one render (edgeshelf coalesces
	// identical misses), so a fair render measurement has none.
	Duplicates int64
	// Sizes are the bytes of each variant served (by Variant.Key), and of
	// them the embedded ICC profile's: the report compares bytes over the
	// variants both servers served, as a faster server covers more of them.
	Sizes map[string]Size `json:"-"`
	// Problems holds the first few failures, for the report.
	Problems []string
	Hist     *hdrhistogram.Histogram `json:"-"` // µs, OK responses only
}

const maxProblems = 5

// Size is one response's bytes, and of them its ICC profile's.
type Size struct{ Bytes, ICC int64 }

// Run drives srv with l, reading srv's CPU time from /proc before and after.
func (l Load) Run(ctx context.Context, srv *Server, client *http.Client) (*Measured, error) {
	if l.Timeout <= 0 {
		l.Timeout = 60 * time.Second
	}
	m := &Measured{Hist: hdrhistogram.New(1, 300_000_000, 3), Sizes: map[string]Size{}}
	cpu0, err := CPUTime(srv.PID())
	if err != nil {
		return nil, err
	}
	st := &loadState{m: m, inFlight: map[int]int{}, stop: time.Now().Add(l.Duration)}
	var wg sync.WaitGroup
	start := time.Now()
	for range max(l.Concurrency, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.client(ctx, srv, client, st)
		}()
	}
	wg.Wait()
	m.Elapsed = time.Since(start)
	cpu1, err := CPUTime(srv.PID())
	if err != nil {
		return nil, fmt.Errorf("%s exited during the run: %w", srv.Side.Name, err)
	}
	m.CPU = cpu1 - cpu0
	return m, ctx.Err()
}

// loadState is what a Load's clients share; mu guards m and inFlight.
type loadState struct {
	next     atomic.Int64
	stop     time.Time
	mu       sync.Mutex
	m        *Measured
	inFlight map[int]int // variant index → requests for it in flight
}

// client is one connection's loop: send, wait for the answer, check it,
// record it, send the next.
func (l Load) client(ctx context.Context, srv *Server, client *http.Client, st *loadState) {
	for ctx.Err() == nil {
		i := int(st.next.Add(1) - 1)
		if (l.Duration == 0 && i >= len(l.Variants)) || (l.Duration > 0 && time.Now().After(st.stop)) {
			return
		}
		k := i % len(l.Variants)
		v := l.Variants[k]
		st.mu.Lock()
		if st.inFlight[k] > 0 {
			st.m.Duplicates++
		}
		st.inFlight[k]++
		st.mu.Unlock()
		t0 := time.Now()
		body, tier, err := get(ctx, client, srv.Base+srv.Side.URL(v), l.Timeout)
		lat := time.Since(t0)
		if err == nil {
			err = Check(v, body)
		}
		st.mu.Lock()
		st.inFlight[k]--
		st.m.record(v, lat, body, tier, err)
		st.mu.Unlock()
	}
}

func (m *Measured) record(v Variant, lat time.Duration, body []byte, tier string, err error) {
	if err != nil {
		m.Failed++
		if len(m.Problems) < maxProblems {
			m.Problems = append(m.Problems, fmt.Sprintf("%s %s: %v", v.SKU, v.Format, err))
		}
		return
	}
	m.OK++
	size := Size{Bytes: int64(len(body)), ICC: int64(ICCBytes(body))}
	m.Bytes += size.Bytes
	m.ICCBytes += size.ICC
	if m.Sizes != nil {
		m.Sizes[v.Key()] = size
	}
	if tier != "other" && tier != "render" {
		m.NotRendered++
	}
	_ = m.Hist.RecordValue(max(lat.Microseconds(), 1))
}

// get fetches url whole; any status but 200 is an error.
func get(ctx context.Context, client *http.Client, url string, timeout time.Duration) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return body, harness.TierOf(resp.Header.Get("Server-Timing")), nil
}
