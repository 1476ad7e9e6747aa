package images_test

import (
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestQualityHeader: X-Quality names the encoder quality of lossy variants
// ("(auto)" when q=auto chose it), both from the render and from the
// cache; q=auto is smaller than the default and never above it; PNG has
// no quality to name.
func TestQualityHeader(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	resp, fixed := h.Get(t, "/img/label-hoodie/front/_.webp?w=480")
	if got := resp.Header.Get("X-Quality"); resp.StatusCode != 200 || got != "80" {
		t.Fatalf("fixed: status %d, X-Quality %q, want 80", resp.StatusCode, got)
	}
	for i := range 2 { // rendered, then from L1
		resp, auto := h.Get(t, "/img/label-hoodie/front/_.webp?w=480&q=auto")
		got := resp.Header.Get("X-Quality")
		if resp.StatusCode != 200 || !strings.HasSuffix(got, " (auto)") {
			t.Fatalf("request %d: status %d, X-Quality %q, want \"N (auto)\"", i, resp.StatusCode, got)
		}
		if len(auto) >= len(fixed) {
			t.Errorf("q=auto is %d B, the default %d B", len(auto), len(fixed))
		}
	}
	resp, _ = h.Get(t, "/img/label-hoodie/front/_.png?w=100&q=auto")
	if got := resp.Header.Get("X-Quality"); resp.StatusCode != 200 || got != "" {
		t.Errorf("PNG: status %d, X-Quality %q, want none", resp.StatusCode, got)
	}
}
