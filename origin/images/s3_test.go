package images_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// countingStore counts Gets per key: the instrumented store of the
// one-render-per-key test.
type countingStore struct {
	store.Blob
	mu   sync.Mutex
	gets map[string]int
}

func (c *countingStore) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	c.mu.Lock()
	c.gets[key]++
	c.mu.Unlock()
	return c.Blob.Get(ctx, key, opts)
}

func (c *countingStore) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets[key]
}

// TestS3EndToEnd: the demo catalog uploaded into a real S3 server
// (versitygw) is served end to end; 100 concurrent requests for one cold
// variant cost one render and one GET of the original; after a restart with
// an empty L1 the variant comes from L2; with S3 down, L1 hits keep being
// served, misses fail fast with 503 + Retry-After, the replica stays ready
// with the store shown degraded, and service recovers when S3 returns.
func TestS3EndToEnd(t *testing.T) {
	srv := s3test.Start(t)
	s3store := srv.Store(t, "shop/")
	origintest.UploadDemo(t, s3store)
	counting := &countingStore{Blob: s3store, gets: map[string]int{}}
	h := origintest.Start(t, origintest.Options{Store: counting})

	// 100 concurrent requests for one cold variant.
	const path = "/img/label-polo/back/card.webp"
	const original = "originals/label-polo/back.jpg"
	var wg sync.WaitGroup
	bodies := make([]string, 100)
	var failed atomic.Int32
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := h.Get(t, path)
			if resp.StatusCode != 200 {
				failed.Add(1)
			}
			bodies[i] = string(body)
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of 100 concurrent requests failed", failed.Load())
	}
	for i := range bodies {
		if bodies[i] != bodies[0] || len(bodies[i]) == 0 {
			t.Fatal("concurrent responses differ")
		}
	}
	if got := h.Renders.Load(); got != 1 {
		t.Errorf("%d renders for 100 concurrent requests of one variant, want 1", got)
	}
	if got := counting.count(original); got != 1 {
		t.Errorf("%d GETs of the original, want 1", got)
	}
	h.Cache.Wait() // the L2 back-fill has landed in S3

	// A restarted origin (empty L1) serves it from L2 without rendering.
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h2 := origintest.Start(t, origintest.Options{Store: counting, Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		// Short enough for checkS3Down's "a miss fails fast" to mean
		// something; long enough for a render beside a loaded CI.
		c.Origin.RequestTimeout = 15 * time.Second
	}})
	resp, body := h2.Get(t, path)
	if resp.StatusCode != 200 || resp.Header.Get("Server-Timing") != "tier;desc=l2" || string(body) != bodies[0] {
		t.Fatalf("after restart: %d %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	if h2.Renders.Load() != 0 || counting.count(original) != 1 {
		t.Errorf("after restart: %d renders, %d GETs of the original; want 0 and still 1", h2.Renders.Load(), counting.count(original))
	}

	// S3 goes down.
	srv.Stop()
	checkS3Down(t, h2, path, origintest.InternalMarkers(srv.Endpoint, srv.Dir))

	// S3 comes back: no restart of the origin needed.
	srv.Restart()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, _ := h2.Get(t, "/img/label-polo/front/card.webp")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d a minute after S3 came back", resp.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
	origintest.WaitFor(t, 10*time.Second, "the store reported recovered", func() bool {
		degraded, _ := h2.StoreDegraded(t)
		return !degraded
	})
}

// checkS3Down: with S3 down and L1 hits under load, every hit answers
// 200 from L1; a miss fails fast with a 503 that names neither the store
// nor the SDK; the replica stays ready (an outage is shared by every
// replica: it degrades, it does not unready), and /metrics and the admin
// status show the store degraded, with the error for admins only.
func checkS3Down(t *testing.T, h *origintest.Harness, hit string, markers []string) {
	var wg sync.WaitGroup
	var hits, misses atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				resp, _ := h.Get(t, hit)
				hits.Add(1)
				if resp.StatusCode != 200 || resp.Header.Get("Server-Timing") != "tier;desc=l1" {
					misses.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	resp, body := h.Get(t, "/img/label-polo/front/card.webp")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("miss with S3 down: %d Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	} else if p := origintest.DecodeProblem(t, resp, body); p.Code != "store_unavailable" {
		t.Errorf("miss with S3 down: code %q", p.Code)
	}
	if took := time.Since(start); took > h.Config.Origin.RequestTimeout+2*time.Second {
		t.Errorf("the miss took %s with S3 down, past the request deadline", took)
	}
	if m := origintest.FindInternal(body, markers); m != "" {
		t.Errorf("the miss's public body carries %q: %s", m, body)
	}
	wg.Wait()
	if misses.Load() > 0 {
		t.Errorf("%d of %d L1 hits with S3 down did not answer 200 from L1", misses.Load(), hits.Load())
	}
	if resp, body := h.Get(t, "/readyz"); resp.StatusCode != http.StatusOK || origintest.FindInternal(body, markers) != "" {
		t.Errorf("readyz with S3 down: %d %s, want 200 and no store detail", resp.StatusCode, body)
	}
	var st admin.Status
	origintest.WaitFor(t, 10*time.Second, "the store reported degraded in /metrics and /admin/status", func() bool {
		var degraded bool
		degraded, st = h.StoreDegraded(t)
		return degraded
	})
	if !st.Ready || st.Store.LastError == "" || st.Store.Since.IsZero() {
		t.Errorf("admin status with S3 down: %+v, want ready, with the error and since when", st)
	}
}
