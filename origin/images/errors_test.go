package images_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// badStore is a store whose originals are every kind of broken file.
func badStore(t *testing.T) *storefs.Store {
	t.Helper()
	good, err := os.ReadFile(filepath.Join(origintest.DemoDir(), "originals", "label-mug", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"originals/good/front.jpg":      good,
		"originals/empty/front.jpg":     {},
		"originals/truncated/front.jpg": good[:len(good)/2],
		"originals/random/front.jpg":    []byte(strings.Repeat("\x13\x37 not an image ", 200)),
		"originals/vector/front.svg":    []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="http://127.0.0.1:1/x.png"/></svg>`),
		"originals/vectorjpg/front.jpg": []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`),
	}
	return storeOf(t, files, "  - {name: card, width: 480}\n")
}

// storeOf writes originals (keys originals/{sku}/front.{ext}) into a fresh
// fs store with a catalog naming each SKU and the given presets YAML.
func storeOf(t *testing.T, files map[string][]byte, presets string) *storefs.Store {
	t.Helper()
	dir := t.TempDir()
	var skus strings.Builder
	for key, data := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(key)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, key), data, 0o644); err != nil {
			t.Fatal(err)
		}
		skus.WriteString("  - {id: " + strings.Split(key, "/")[1] + ", views: [front]}\n")
	}
	cat := "skus:\n" + skus.String() + "presets:\n" + presets
	if err := os.WriteFile(filepath.Join(dir, "catalog.yaml"), []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := storefs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBadInput: every kind of bad request or source gets its documented
// status and a problem+json body, and the server keeps serving.
func TestBadInput(t *testing.T) {
	h := origintest.Start(t, origintest.Options{Store: badStore(t)})
	cases := []struct {
		path   string
		status int
		code   string
	}{
		{"/img/missing/front/card.jpg", 404, "unknown_sku"},
		{"/img/good/back/card.jpg", 404, "unknown_view"},
		{"/img/good/front/huge.jpg", 404, "unknown_preset"},
		{"/img/good/front/card.gif", 400, "unsupported_format"},
		{"/img/good/front/card", 400, "unsupported_format"},
		{"/img/good/front/card.jpg?hub=nowhere", 404, "unknown_hub"},
		{"/img/good/%2e%2e/card.jpg", 400, "invalid_path"},
		{"/img/..%2f..%2fetc/front/card.jpg", 400, "invalid_path"},
		{"/img/good/front/..%2fcard.jpg", 400, "invalid_path"},
		{"/img/good/front/card.jpg?locale=de%0d%0aX-Evil:%201", 400, "invalid_locale"},
		{"/img/empty/front/card.jpg", 422, "empty_source"},
		{"/img/truncated/front/card.jpg", 422, "corrupt_source"},
		{"/img/random/front/card.jpg", 422, "unsupported_source"},
		{"/img/vector/front/card.jpg", 422, "unsupported_source"},
		{"/img/vectorjpg/front/card.webp", 422, "unsupported_source"},
		{"/nope", 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, body := h.Get(t, c.path)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			p := origintest.DecodeProblem(t, resp, body)
			if p.Code != c.code {
				t.Fatalf("code %q, want %q (%s)", p.Code, c.code, p.Detail)
			}
			if strings.Contains(string(body), "goroutine") || strings.Contains(string(body), ".go:") {
				t.Fatalf("problem body leaks internals: %s", body)
			}
			// ... and the server still serves a good variant.
			if ok, _ := h.Get(t, "/img/good/front/card.jpg"); ok.StatusCode != http.StatusOK {
				t.Fatalf("after %s the server answers %d", c.path, ok.StatusCode)
			}
		})
	}
	if resp, _ := h.Get(t, "/img/missing/front/card.jpg"); !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=60") {
		t.Errorf("404 Cache-Control %q, want a short max-age", resp.Header.Get("Cache-Control"))
	}
	if resp, _ := h.Get(t, "/img/truncated/front/card.jpg"); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("422 Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	if resp, body := h.Get(t, "/healthz"); resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz %d %s", resp.StatusCode, body)
	}
	if resp, body := h.Get(t, "/readyz"); resp.StatusCode != 200 || !strings.Contains(string(body), `"skus":10`) {
		t.Fatalf("readyz %d %s", resp.StatusCode, body)
	}
	h.Get(t, "/img/label-cap/front/thumb.jpg")
	h.Get(t, "/img/nope/front/thumb.jpg")
	_, metrics := h.Get(t, "/metrics")
	for _, want := range []string{
		`edgeshelf_http_requests_total{method="GET",route="/img/:sku/:view/:file",status="200"} 1`,
		`edgeshelf_http_requests_total{method="GET",route="/img/:sku/:view/:file",status="404"} 1`,
		`edgeshelf_http_request_seconds_bucket{route="/img/:sku/:view/:file",status="200"`,
		`edgeshelf_cache_renders_total 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// libvips' pixel memory, a number of bytes (0 between renders).
	if !regexp.MustCompile(`(?m)^edgeshelf_libvips_tracked_bytes \d+(\.\d+)?(e\+\d+)?$`).Match(metrics) {
		t.Error("/metrics lacks edgeshelf_libvips_tracked_bytes with a value")
	}
}
