package variant_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// ServePeer renders the variant a peer's plan names once, through the
// cache, and refuses a plan whose key is not the key asked for.
func TestServePeer(t *testing.T) {
	h := origintest.Start(t, origintest.Options{Store: origintest.DemoStore(t)})
	svc := h.Server.Variants()
	cat := svc.Catalog()
	orig, err := cat.Resolve("label-tee", "front", "")
	if err != nil {
		t.Fatal(err)
	}
	spec := transform.Spec{Width: 240, Format: transform.JPEG}
	p, err := svc.Plan(cat, orig, "label-tee", "front", "", spec)
	if err != nil {
		t.Fatal(err)
	}
	pp := variant.PeerPlan{SKU: p.SKU, View: p.View, Hub: orig.Hub, Locale: p.Locale, Spec: p.Spec, Look: p.Look, Profile: p.Profile}
	raw, _ := json.Marshal(pp)
	for range 2 {
		e, err := svc.ServePeer(context.Background(), p.Key, raw)
		if err != nil || e.ContentType != "image/jpeg" || e.Width != 240 {
			t.Fatalf("ServePeer: %+v, %v", e, err)
		}
	}
	if n := h.Renders.Load(); n != 1 {
		t.Errorf("%d renders for two fills of one key, want 1", n)
	}
	pp.Spec.Width = 241
	raw, _ = json.Marshal(pp)
	_, err = svc.ServePeer(context.Background(), p.Key, raw)
	if pe, ok := problem.As(err); !ok || pe.Status != http.StatusConflict {
		t.Errorf("a plan of another key: %v, want 409 peer_plan_mismatch", err)
	}
	pp.SKU = "no-such-sku"
	raw, _ = json.Marshal(pp)
	if _, err := svc.ServePeer(context.Background(), p.Key, raw); err == nil {
		t.Error("a plan of an unknown SKU was served")
	}
	if _, err := svc.ServePeer(context.Background(), p.Key, []byte(`{"sku":`)); !errors.As(err, new(*problem.Error)) {
		t.Errorf("a broken plan: %v, want a problem", err)
	}
	if n := h.Renders.Load(); n != 1 {
		t.Errorf("refused plans rendered: %d renders", n)
	}
}
