package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/gallery"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// galleryBody is the JSON of GET /admin/reports/gallery.
type galleryBody struct {
	Thresholds gallery.Thresholds
	Flagged    int
	SKUs       []gallery.SKUReport
}

// TestGalleryReport: the whole demo answers with no flagged photo (a
// repeat is served from the measurements kept by ETag); a side view
// replaced by a tungsten-lit one is flagged in JSON and in the text table.
func TestGalleryReport(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})

	start := time.Now()
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/reports/gallery", "")
	cold := time.Since(start)
	var all galleryBody
	if err := json.Unmarshal(body, &all); err != nil || resp.StatusCode != 200 {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	if len(all.SKUs) != 10 || all.Flagged != 0 || all.Thresholds != gallery.DefaultThresholds() {
		t.Fatalf("demo report: %d SKUs, %d flagged, thresholds %+v", len(all.SKUs), all.Flagged, all.Thresholds)
	}
	start = time.Now()
	if resp, _ := h.AdminDo(t, http.MethodGet, "/admin/reports/gallery", ""); resp.StatusCode != 200 {
		t.Fatalf("repeat: %d", resp.StatusCode)
	}
	t.Logf("whole demo (21 photos): cold %v, repeated %v (%.0f× faster)", cold, time.Since(start), float64(cold)/float64(time.Since(start)))

	side, err := h.Store.Get(context.Background(), "originals/amber-oud-50ml/side.jpg", store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cast, err := transform.MakeSource(side.Data, transform.SourceOptions{Cast: &[3]float64{1.20, 1.0, 0.65}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.Put(context.Background(), "originals/amber-oud-50ml/side.jpg", cast, store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Catalog.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body = h.AdminDo(t, http.MethodGet, "/admin/reports/gallery?sku=amber-oud-50ml", "")
	var one galleryBody
	if err := json.Unmarshal(body, &one); err != nil || resp.StatusCode != 200 || len(one.SKUs) != 1 || one.Flagged != 1 {
		t.Fatalf("one SKU: %d %s", resp.StatusCode, body)
	}
	resp, body = h.AdminDo(t, http.MethodGet, "/admin/reports/gallery?sku=amber-oud-50ml&format=text", "")
	text := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(text, "SKU  ") || !strings.Contains(text, "amber-oud-50ml side  white_balance: warm cast: b* +") {
		t.Fatalf("text: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), text)
	}
	t.Logf("text report:\n%s", text)
}

// TestGalleryReportErrors: no token, an unknown SKU, a malformed SKU, a
// bad threshold, an unknown format and a store outage each get their
// problem, and the outage's cause stays out of the body.
func TestGalleryReportErrors(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	blob := &origintest.OutageStore{Blob: origintest.DemoStore(t)}
	h := origintest.Start(t, origintest.Options{Store: blob, Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	if resp, body := h.Get(t, "/admin/reports/gallery"); resp.StatusCode != 401 {
		t.Errorf("without a token: %d %s, want 401", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"?sku=no-such-sku", 404, "unknown_sku"},
		{"?sku=../etc", 400, "invalid_sku"},
		{"?sku=label-mug&white_balance=-1", 400, "invalid_parameter"},
		{"?sku=label-mug&exposure_stops=lots", 400, "invalid_parameter"},
		{"?sku=label-mug&format=xml", 400, "invalid_parameter"},
	} {
		resp, body := h.AdminDo(t, http.MethodGet, "/admin/reports/gallery"+tc.query, "")
		if p := origintest.DecodeProblem(t, resp, body); p.Status != tc.status || p.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.query, p.Status, p.Code, tc.status, tc.code)
		}
	}
	blob.Down.Store(true)
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/reports/gallery?sku=label-mug", "")
	if p := origintest.DecodeProblem(t, resp, body); p.Status != 503 || p.Code != "store_unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("store down: %d %s, Retry-After %q; want 503 store_unavailable with Retry-After", p.Status, p.Code, resp.Header.Get("Retry-After"))
	}
	if leak := origintest.FindInternal(body, origintest.OutageMarkers()); leak != "" {
		t.Errorf("the body shows %q: %s", leak, body)
	}
}

// slowOriginals delays every read of an original, as a distant bucket
// would, so a whole-catalog report outlasts a short request deadline.
type slowOriginals struct {
	store.Blob
	delay time.Duration
}

func (s slowOriginals) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if strings.HasPrefix(key, "originals/") {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", store.ErrUnavailable, ctx.Err())
		}
	}
	return s.Blob.Get(ctx, key, opts)
}

// TestGalleryReportResumes: a report the request deadline cuts short is a
// 503 report_incomplete saying how far it got (not a store failure), and
// retries continue from the kept measurements until one answers whole.
func TestGalleryReportResumes(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	// 21 photos × 200 ms reads on 2 decode slots need over 2 s.
	blob := slowOriginals{Blob: origintest.DemoStore(t), delay: 200 * time.Millisecond}
	h := origintest.Start(t, origintest.Options{Store: blob, Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.RequestTimeout = 2 * time.Second
	}})
	progress := regexp.MustCompile(`after (\d+) of 10 SKUs were measured`)
	var attempts []int
	for len(attempts) < 40 {
		resp, body := h.AdminDo(t, http.MethodGet, "/admin/reports/gallery", "")
		if resp.StatusCode == 200 {
			var all galleryBody
			if err := json.Unmarshal(body, &all); err != nil || len(all.SKUs) != 10 || all.Flagged != 0 {
				t.Fatalf("the report after %v: %d SKUs, %d flagged (%v)", attempts, len(all.SKUs), all.Flagged, err)
			}
			break
		}
		p := origintest.DecodeProblem(t, resp, body)
		m := progress.FindStringSubmatch(p.Detail)
		if p.Status != 503 || p.Code != "report_incomplete" || resp.Header.Get("Retry-After") != "1" || m == nil {
			t.Fatalf("attempt %d: %d %s %q, Retry-After %q; want 503 report_incomplete with progress and Retry-After 1",
				len(attempts)+1, p.Status, p.Code, p.Detail, resp.Header.Get("Retry-After"))
		}
		done, _ := strconv.Atoi(m[1])
		if n := len(attempts); n > 0 && done < attempts[n-1] {
			t.Errorf("attempt %d measured %d SKUs, fewer than the %d before it: measurements were lost", n+1, done, attempts[n-1])
		}
		attempts = append(attempts, done)
	}
	if len(attempts) == 0 || len(attempts) == 40 {
		t.Fatalf("SKUs measured per attempt: %v; want a first 503, then a whole report within 40 attempts", attempts)
	}
	t.Logf("SKUs measured before each deadline: %v, then the whole report", attempts)
}
