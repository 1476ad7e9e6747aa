package images_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store"
)

// served is one variant as a replica answered it.
type served struct{ etag, tier string }

// serveOnce starts a replica on the shared store with one setting changed,
// fetches path and waits for the L2 back-fill.
func serveOnce(t *testing.T, blob store.Blob, path string, change func(*config.Config)) served {
	t.Helper()
	h := origintest.Start(t, origintest.Options{Store: blob, NoL1: true, Configure: change})
	resp, body := h.Get(t, path)
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	h.Cache.Wait()
	tier, _, _ := strings.Cut(strings.TrimPrefix(resp.Header.Get("Server-Timing"), "tier;desc="), ",")
	return served{etag: resp.Header.Get("ETag"), tier: tier}
}

func resultKeys(t *testing.T, blob store.Blob) int {
	t.Helper()
	infos, err := blob.List(context.Background(), "results/")
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}

// TestRenderSettingsInCacheKey is the stale-bytes bug of a shared results
// tier: a replica started with a setting that changes output bytes must not
// find the variant another replica rendered under the old setting. It
// renders anew (new key, a new results object) with a new ETag. A setting
// that cannot change the bytes keeps the key: the L2 copy is served with
// the same ETag.
func TestRenderSettingsInCacheKey(t *testing.T) {
	const jpg, webp, avif = "/img/label-mug/front/card.jpg", "/img/label-mug/front/card.webp", "/img/label-mug/front/card.avif"
	for _, tc := range []struct {
		name    string
		path    string
		change  func(*config.Config)
		newKeys bool
	}{
		{"jpeg quality", jpg, func(c *config.Config) { c.Transform.QualityJPEG = 70 }, true},
		{"webp quality", webp, func(c *config.Config) { c.Transform.QualityWebP = 70 }, true},
		{"webp effort", webp, func(c *config.Config) { c.Transform.WebPEffort = 4 }, true},
		{"avif quality", avif, func(c *config.Config) { c.Transform.QualityAVIF = 50 }, true},
		{"avif speed", avif, func(c *config.Config) { c.Transform.AVIFSpeed = 7 }, true},
		{"max output width", jpg, func(c *config.Config) { c.Transform.MaxOutputWidth = 2048 }, true},
		{"max output height", jpg, func(c *config.Config) { c.Transform.MaxOutputHeight = 2048 }, true},
		{"libvips vector switch", jpg, func(c *config.Config) { c.Transform.VipsVector = !c.Transform.VipsVector }, true},
		// Unrelated: a JPEG does not depend on WebP's settings, nor on
		// limits that only refuse requests or tune the server.
		{"webp quality, jpeg variant", jpg, func(c *config.Config) { c.Transform.QualityWebP = 70 }, false},
		{"render timeout", jpg, func(c *config.Config) { c.Transform.RenderTimeout *= 2 }, false},
		{"max source pixels", jpg, func(c *config.Config) { c.Transform.MaxSourcePixels /= 2 }, false},
		{"request timeout", webp, func(c *config.Config) { c.Origin.RequestTimeout *= 2 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blob := origintest.DemoStore(t)
			before := serveOnce(t, blob, tc.path, nil)
			keys := resultKeys(t, blob)
			after := serveOnce(t, blob, tc.path, tc.change)
			if before.tier != "render" {
				t.Fatalf("first replica: tier %q, want a render", before.tier)
			}
			grew := resultKeys(t, blob) > keys
			switch {
			case tc.newKeys && (after.tier != "render" || after.etag == before.etag || !grew):
				t.Errorf("after the change: tier %q, ETag %s (was %s), new results object %v; want a fresh render under a new key and ETag",
					after.tier, after.etag, before.etag, grew)
			case !tc.newKeys && (after.tier != "l2" || after.etag != before.etag || grew):
				t.Errorf("after an unrelated change: tier %q, ETag %s (was %s), new results object %v; want the same key served from L2",
					after.tier, after.etag, before.etag, grew)
			}
		})
	}
}
