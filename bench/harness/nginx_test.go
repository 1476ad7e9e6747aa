package harness

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// requireNginx skips without nginx, except under CI, where a skip would let
// the regional cache go untested.
func requireNginx(tb testing.TB) {
	tb.Helper()
	if _, err := NginxBinary(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("nginx is required when CI is set (make test installs it with apt): %v", err)
		}
		tb.Skipf("nginx is not installed (apt-get install nginx; with CI set this fails instead): %v", err)
	}
}

func getWith(t *testing.T, url, accept string) (status, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Header.Get("X-Cache-Status"), string(b)
}

func TestNginxCachesPerVaryAndObeysCacheControl(t *testing.T) {
	requireNginx(t)
	var hits atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasPrefix(r.URL.Path, "/private") {
			w.Header().Set("Cache-Control", "no-store")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=600")
		}
		w.Header().Set("Vary", "Accept")
		_, _ = io.WriteString(w, "for "+r.Header.Get("Accept"))
	}))
	defer up.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := StartNginx(ctx, t.TempDir(), strings.TrimPrefix(up.URL, "http://"), 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	steps := []struct{ path, accept, status, body string }{
		{"/img/a.auto", "image/avif", "MISS", "for image/avif"},
		{"/img/a.auto", "image/webp", "MISS", "for image/webp"},
		{"/img/a.auto", "image/avif", "HIT", "for image/avif"},
		{"/img/a.auto", "image/webp", "HIT", "for image/webp"},
		{"/img/a.auto?locale=fr", "image/avif", "MISS", "for image/avif"},
		{"/private/b", "image/avif", "MISS", "for image/avif"},
		{"/private/b", "image/avif", "MISS", "for image/avif"},
	}
	for i, s := range steps {
		status, body := getWith(t, n.URL+s.path, s.accept)
		if status != s.status || body != s.body {
			t.Errorf("step %d %s Accept %s: %s %q, want %s %q", i, s.path, s.accept, status, body, s.status, s.body)
		}
	}
	if got := hits.Load(); got != 5 {
		t.Errorf("origin saw %d requests, want 5 (2 Vary variants, 1 query, 2 no-store)", got)
	}
}

func TestDelayProxyDelaysEachWay(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(make([]byte, 256<<10))
	}))
	defer up.Close()
	p, err := StartDelayProxy(strings.TrimPrefix(up.URL, "http://"), 30*time.Millisecond, 5*time.Millisecond, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client := NewClient(1)
	defer client.CloseIdleConnections()
	for i := range 3 {
		t0 := time.Now()
		resp, err := client.Get("http://" + p.Addr() + "/")
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		el := time.Since(t0)
		// one round trip: ≥ 2 × (30 − 5) ms; a 256 KiB body must stream, not pay 30 ms per chunk.
		if n != 256<<10 || el < 50*time.Millisecond || el > 2*time.Second {
			t.Errorf("request %d: %d bytes in %s, want 256 KiB in 50 ms – 2 s", i, n, el)
		}
	}
}
