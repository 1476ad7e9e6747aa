package admin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestStatusStoreOutage: a store outage is a degraded state, not a
// readiness failure. With the store down the replica stays ready and keeps
// serving L1 hits; misses and writes fail with 503 bodies that carry none
// of the cause's address, SDK text or path (the admin status has it); the
// degraded state shows in /metrics and GET /admin/status, and clears
// without a restart when the store is back.
func TestStatusStoreOutage(t *testing.T) {
	blob := &origintest.OutageStore{Blob: origintest.DemoStore(t)}
	origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Store: blob, Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})

	degraded, st := h.StoreDegraded(t)
	if degraded || !st.Ready || !st.RenderWorkersAlive || st.Draining || st.Version != "test" ||
		!st.Catalog.Loaded || st.Catalog.SKUs != 10 || st.Store.LastSuccess.IsZero() {
		t.Fatalf("status before the outage: %+v", st)
	}
	const hit = "/img/label-mug/front/card.webp"
	if resp, body := h.Get(t, hit); resp.StatusCode != http.StatusOK {
		t.Fatalf("warming %s: %d %s", hit, resp.StatusCode, body)
	}

	blob.Down.Store(true)
	markers := origintest.OutageMarkers()
	checkClean := func(what string, resp origintest.Response, body []byte, status int) {
		t.Helper()
		if resp.StatusCode != status {
			t.Errorf("%s: %d, want %d: %s", what, resp.StatusCode, status, body)
		}
		if m := origintest.FindInternal(body, markers); m != "" {
			t.Errorf("%s: the public body carries %q: %s", what, m, body)
		}
	}
	resp, body := h.Get(t, "/img/label-tee/back/card.webp")
	checkClean("miss", resp, body, http.StatusServiceUnavailable)
	if p := origintest.DecodeProblem(t, resp, body); p.Code != "store_unavailable" || !strings.Contains(string(body), `"request_id":"`+resp.Header.Get("X-Request-Id")+`"`) {
		t.Errorf("miss: code %q, want store_unavailable with the request id: %s", p.Code, body)
	}
	resp, body = h.AdminRequest(t, http.MethodPut, "/admin/inventory/eu-waw", "application/json",
		`{"seq": 9000, "as_of": "`+time.Now().UTC().Format(time.RFC3339)+`", "items": {"label-mug": 1}}`)
	checkClean("inventory write", resp, body, http.StatusServiceUnavailable)
	resp, body = h.Get(t, hit)
	checkClean("L1 hit", resp, body, http.StatusOK)
	resp, body = h.Get(t, "/readyz")
	checkClean("readyz", resp, body, http.StatusOK)

	origintest.WaitFor(t, 10*time.Second, "the store reported degraded", func() bool {
		degraded, st = h.StoreDegraded(t)
		return degraded
	})
	if !st.Ready || st.Store.Since.IsZero() || !strings.Contains(st.Store.LastError, "10.9.8.7:9000") {
		t.Errorf("admin status with the store down: %+v, want ready, since when, and the cause", st)
	}

	blob.Down.Store(false)
	origintest.WaitFor(t, 10*time.Second, "the store reported recovered", func() bool {
		degraded, st = h.StoreDegraded(t)
		return !degraded
	})
	if resp, body := h.Get(t, "/img/label-tee/back/card.webp"); resp.StatusCode != http.StatusOK {
		t.Errorf("miss after recovery: %d %s", resp.StatusCode, body)
	}
}

// TestStatusShape: GET /admin/status answers its documented members.
func TestStatusShape(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/status", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status: %d %q %s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "ready", "draining", "render_workers_alive", "catalog", "store"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("status has no %q: %s", k, body)
		}
	}
	var st admin.Status
	if err := json.Unmarshal(body, &st); err != nil || !st.Ready || st.Store.Degraded {
		t.Errorf("status %s: %v", body, err)
	}
}
