package variant_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestPyramidAdmission: at PYRAMID_ADMIT 2 (the default) a lone first miss
// of an original renders straight from it and builds nothing, as a one-off
// image needs; the second miss builds the pyramid and renders from it, and
// so does every later one. At 1 the first miss builds it, and so does the
// first miss of an AVIF original at 2 (transform.BuildsAtOnce).
func TestPyramidAdmission(t *testing.T) {
	// After each miss: lone misses deferred, builds, renders from the
	// original, renders from the pyramid.
	for _, tc := range []struct {
		admit  int
		format string
		want   [][4]int
	}{
		{2, "jpeg", [][4]int{{1, 0, 1, 0}, {1, 1, 1, 1}, {1, 1, 1, 2}}},
		{1, "jpeg", [][4]int{{0, 1, 0, 1}, {0, 1, 0, 2}, {0, 1, 0, 3}}},
		{2, "avif", [][4]int{{0, 1, 0, 1}, {0, 1, 0, 2}, {0, 1, 0, 3}}},
	} {
		t.Run(fmt.Sprintf("admit=%d/%s", tc.admit, tc.format), func(t *testing.T) {
			blob := origintest.DemoStore(t)
			if tc.format != "jpeg" {
				origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
				putOriginal(t, blob, "amber-oud-50ml", reencodeOriginal(t, blob, "amber-oud-50ml", tc.format))
			}
			h := origintest.Start(t, origintest.Options{Store: blob, Configure: func(c *config.Config) { c.Transform.PyramidAdmit = tc.admit }})
			for i, w := range []int{300, 320, 340} {
				if resp, body := h.Get(t, fmt.Sprintf("/img/amber-oud-50ml/front/_.jpg?w=%d", w)); resp.StatusCode != 200 {
					t.Fatalf("w=%d: status %d %s", w, resp.StatusCode, body)
				}
				got := [4]int{
					counter(t, h, "edgeshelf_pyramid_deferred_total", ""), counter(t, h, "edgeshelf_pyramid_builds_total", ""),
					counter(t, h, "edgeshelf_source_decodes_total", "original"), counter(t, h, "edgeshelf_source_decodes_total", "pyramid"),
				}
				if got != tc.want[i] {
					t.Errorf("after miss %d: deferred, builds, from original, from pyramid = %v, want %v", i+1, got, tc.want[i])
				}
			}
		})
	}
}
