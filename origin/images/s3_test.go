package images_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
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
// served, misses fail fast with 503 + Retry-After, and service recovers when
// S3 returns.
func TestS3EndToEnd(t *testing.T) {
	srv := s3test.Start(t)
	s3store := srv.Store(t, "shop/")
	origintest.UploadDemo(t, s3store)
	counting := &countingStore{Blob: s3store, gets: map[string]int{}}
	h := origintest.Start(t, origintest.Options{Store: counting, Configure: func(c *config.Config) {
		c.Origin.RequestTimeout = 3 * time.Second
	}})

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
	h2 := origintest.Start(t, origintest.Options{Store: counting})
	resp, body := h2.Get(t, path)
	if resp.StatusCode != 200 || resp.Header.Get("Server-Timing") != "tier;desc=l2" || string(body) != bodies[0] {
		t.Fatalf("after restart: %d %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	if h2.Renders.Load() != 0 || counting.count(original) != 1 {
		t.Errorf("after restart: %d renders, %d GETs of the original; want 0 and still 1", h2.Renders.Load(), counting.count(original))
	}

	// S3 goes down.
	srv.Stop()
	if resp, _ := h2.Get(t, path); resp.StatusCode != 200 || resp.Header.Get("Server-Timing") != "tier;desc=l1" {
		t.Errorf("L1 hit with S3 down: %d %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	start := time.Now()
	resp, body = h2.Get(t, "/img/label-polo/front/card.webp")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("miss with S3 down: %d Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	} else if p := origintest.DecodeProblem(t, resp, body); p.Code != "store_unavailable" {
		t.Errorf("miss with S3 down: code %q", p.Code)
	}
	if took := time.Since(start); took > h2.Config.Origin.RequestTimeout+2*time.Second {
		t.Errorf("the miss took %s with S3 down, past the request deadline", took)
	}
	if resp, _ := h2.Get(t, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with S3 down: %d", resp.StatusCode)
	}

	// S3 comes back: no restart of the origin needed.
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := h2.Get(t, "/img/label-polo/front/card.webp")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d 10s after S3 came back", resp.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
