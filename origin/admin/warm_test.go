package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestWarm pre-renders a hub's image set into both tiers in the background
// and reports progress; the warmed variants are then L1 hits.
func TestWarm(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	resp, body := h.AdminDo(t, http.MethodPost, "/admin/warm",
		`{"hub":"eu-waw","skus":["amber-oud-50ml","label-mug"],"locales":["en-US","de-DE"],"presets":["thumb","card"],"formats":["webp","jpg"]}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("warm: %d %s", resp.StatusCode, body)
	}
	var job admin.WarmJob
	if err := json.Unmarshal(body, &job); err != nil {
		t.Fatal(err)
	}
	// amber: 3 views, mug: 1 view; 2 presets × 2 formats × 2 locales.
	if job.Total != 4*2*2*2 || resp.Header.Get("Location") != "/admin/warm/"+job.ID {
		t.Fatalf("job %+v, Location %q", job, resp.Header.Get("Location"))
	}
	deadline := time.Now().Add(60 * time.Second)
	for job.State != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("warm still running after 60s: %+v", job)
		}
		time.Sleep(100 * time.Millisecond)
		_, body = h.AdminDo(t, http.MethodGet, "/admin/warm/"+job.ID, "")
		if err := json.Unmarshal(body, &job); err != nil {
			t.Fatal(err)
		}
	}
	if job.Failed != 0 || job.Done != int64(job.Total) || job.Rendered != h.Renders.Load() || job.Rendered == 0 {
		t.Fatalf("finished job %+v, renders %d", job, h.Renders.Load())
	}
	// The hub photo variant a German buyer will ask for is already in L1.
	r, _ := h.Get(t, "/img/amber-oud-50ml/front/card.webp?hub=eu-waw&locale=de-DE")
	if r.Header.Get("Server-Timing") != "tier;desc=l1" {
		t.Errorf("warmed variant: %q, want an L1 hit", r.Header.Get("Server-Timing"))
	}
	for _, bad := range []string{`{"hub":"mars"}`, `{"hub":"eu-waw","skus":["nope"]}`, `{"hub":"eu-waw","formats":["gif"]}`, `{"hub":"eu-waw","colour":1}`} {
		if resp, body := h.AdminDo(t, http.MethodPost, "/admin/warm", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("warm %s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, _ := h.AdminDo(t, http.MethodGet, "/admin/warm/nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown job: %d", resp.StatusCode)
	}
}

// TestWarmCancelledOnShutdown: a warm-up of a whole hub still running when
// the server shuts down is cancelled and awaited by Shutdown, so no render
// starts after it returned.
func TestWarmCancelledOnShutdown(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	resp, body := h.AdminDo(t, http.MethodPost, "/admin/warm", `{"hub":"eu-waw"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("warm: %d %s", resp.StatusCode, body)
	}
	var job admin.WarmJob
	if err := json.Unmarshal(body, &job); err != nil {
		t.Fatal(err)
	}
	origintest.WaitFor(t, 30*time.Second, "the warm-up renders", func() bool { return h.Renders.Load() > 0 })
	// Shutdown awaits the renders in flight, 2400 px AVIFs among them, which
	// a loaded machine stretches to tens of seconds; without the cancel it
	// would await the whole hub (the Total check below).
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if err := h.Server.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	stopped := h.Renders.Load()
	if took := time.Since(start); took > time.Minute {
		t.Errorf("shutdown took %s with a warm-up running", took)
	}
	if stopped >= int64(job.Total) {
		t.Fatalf("the warm-up finished all %d variants before shutdown; the test proves nothing", job.Total)
	}
	time.Sleep(300 * time.Millisecond)
	if after := h.Renders.Load(); after != stopped {
		t.Errorf("%d renders ran after Shutdown returned", after-stopped)
	}
}
