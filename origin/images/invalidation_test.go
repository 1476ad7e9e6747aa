package images_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestInvalidation: a new original (its ETag changes) and a new colour
// profile version each change the variant's cache key, so the next request
// renders afresh instead of serving the old bytes.
func TestInvalidation(t *testing.T) {
	st := origintest.DemoStore(t)
	h := origintest.Start(t, origintest.Options{Store: st})
	const path = "/img/label-mug/front/card.jpg?locale=de-DE"
	first, body1 := h.Get(t, path)
	if again, _ := h.Get(t, path); again.Header.Get("Server-Timing") != "tier;desc=l1" {
		t.Fatalf("second request: %q", again.Header.Get("Server-Timing"))
	}

	// A new photo of the mug is uploaded (here: another demo photo).
	photo, err := os.ReadFile(filepath.Join(st.Dir(), "originals", "label-cap", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st.Dir(), "originals", "label-mug", "front.jpg"), photo, 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := h.Catalog.Reload(context.Background()); !changed || err != nil {
		t.Fatalf("reload after the new original: %v %v", changed, err)
	}
	second, body2 := h.Get(t, path)
	if !strings.HasPrefix(second.Header.Get("Server-Timing"), "tier;desc=render") || second.Header.Get("ETag") == first.Header.Get("ETag") || string(body1) == string(body2) {
		t.Fatalf("after a new original: %q, same ETag %v", second.Header.Get("Server-Timing"), second.Header.Get("ETag") == first.Header.Get("ETag"))
	}

	// The locale's colour profile gets a new version (same tone): new key —
	// for that locale only.
	h.Get(t, "/img/label-mug/front/thumb.jpg?locale=en-US")
	cat, err := os.ReadFile(filepath.Join(st.Dir(), "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bumped := strings.Replace(string(cat), "{id: srgb-warm, version: 1,", "{id: srgb-warm, version: 2,", 1)
	if bumped == string(cat) {
		t.Fatal("the demo catalog changed: srgb-warm version 1 not found")
	}
	if err := os.WriteFile(filepath.Join(st.Dir(), "catalog.yaml"), []byte(bumped), 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := h.Catalog.Reload(context.Background()); !changed || err != nil {
		t.Fatalf("reload after the profile bump: %v %v", changed, err)
	}
	third, _ := h.Get(t, path)
	if !strings.HasPrefix(third.Header.Get("Server-Timing"), "tier;desc=render") {
		t.Fatalf("after a profile version bump: %q, want a render", third.Header.Get("Server-Timing"))
	}
	// A locale whose profile did not change keeps its cached variant.
	if r, _ := h.Get(t, "/img/label-mug/front/thumb.jpg?locale=en-US"); r.Header.Get("Server-Timing") != "tier;desc=l1" {
		t.Fatalf("unaffected locale: %q", r.Header.Get("Server-Timing"))
	}
}
