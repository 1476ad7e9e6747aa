package harness

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkFetch is the harness's own cost per request (client, connection
// reuse, draining the body) against a server that does nothing: the floor
// under every latency the bench reports. Each request's status, tier and
// size are checked, so a failing server cannot pass for a fast one.
func BenchmarkFetch(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 20<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server-Timing", "tier;desc=l1")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := NewClient(4)
	defer client.CloseIdleConnections()
	ctx := context.Background()
	for b.Loop() {
		tier, status, n, err := fetch(ctx, client, srv.URL+"/img/sku/front/thumb.webp", 5*time.Second)
		if err != nil || status != http.StatusOK || tier != "l1" || n != int64(len(body)) {
			b.Fatalf("fetch: %d, tier %s, %d bytes, %v; want 200 from l1 with %d bytes", status, tier, n, err, len(body))
		}
	}
}
