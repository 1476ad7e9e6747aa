package harness

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestPageViewsExternal points the page-views scenario at an origin it did
// not start (--url): every page's images reach that server, the tiers come
// from its Server-Timing header, and the report names no cost or
// recommendation it cannot know. The rate is given, so the capacity column
// says it was not probed.
func TestPageViewsExternal(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v/") {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Server-Timing", "tier;desc=l1")
		_, _ = w.Write([]byte("\xff\xd8\xff\xd9"))
	}))
	defer srv.Close()
	_, file, _, _ := runtime.Caller(0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := Options{
		Scenario: "page-views", URLTemplate: srv.URL + "/v/{sku}/{view}/{preset}.{fmt}", Catalog: "generated", SKUs: 20, MaxViews: 3,
		Locales: []string{"en-US"}, ZipfS: 1.0, Seed: 5, MaxInFlight: 24, Timeout: 10 * time.Second, Prices: DefaultPrices, Out: io.Discard,
		DemoDir: filepath.Join(filepath.Dir(file), "..", "..", "demo"), TmpDir: t.TempDir(),
		Pages: PageOptions{
			Rate: 50, Measured: 300, Conns: 6, MobileShare: 0.6, AVIFShare: 0.5, WebPShare: 0.35,
			DayPages: 40, ChurnSKUs: 2, SteadyWindow: 150, MaxWarm: 300, SteadyDelta: 0.1,
		},
	}
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PageRuns) != 1 || res.PageRuns[0].Layout != "external" {
		t.Fatalf("page runs %v, want one external run", res.PageRuns)
	}
	pr := res.PageRuns[0]
	if pr.Errors != 0 || pr.OK != pr.Requests || pr.Requests < 300 {
		t.Errorf("%d errors %v, %d OK of %d requests; want all of at least 300", pr.Errors, pr.Failures, pr.OK, pr.Requests)
	}
	if pr.Tiers["l1"] != pr.OK || pr.CacheHitRatio != 1 {
		t.Errorf("tiers %v, hit ratio %.2f: every answer said l1", pr.Tiers, pr.CacheHitRatio)
	}
	if got := hits.Load(); got != pr.Requests+int64(pr.WarmRequests) {
		t.Errorf("the server saw %d image requests; the run sent %d measured + %d warm-up", got, pr.Requests, pr.WarmRequests)
	}
	report := PageReport(res, nil)
	for _, want := range []string{"| external | 50.0 | not probed |", "no recommendation"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
