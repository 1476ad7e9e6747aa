package origintest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// DemoRulesVersion is the version demo/rules/active.yaml declares.
const DemoRulesVersion = "demo-2026-03.1"

// RouteAnswer is what /route returns: a decision plus images.
type RouteAnswer struct {
	routing.Decision
	Images []routing.ImageView `json:"images"`
}

// FixedClock is a routing clock stopped at t.
func FixedClock(t time.Time) routing.Clock { return func() time.Time { return t } }

// OrderJSON is a one-line order for POST /route.
func OrderJSON(sku string, qty int, country, locale string) string {
	b, _ := json.Marshal(routing.Order{Lines: []routing.Line{{SKU: sku, Qty: qty}}, Destination: routing.Destination{Country: country}, Locale: locale})
	return string(b)
}

// DecodeRoute checks a 200 JSON answer of /route and decodes it.
func DecodeRoute(t testing.TB, resp Response, body []byte) RouteAnswer {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var a RouteAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return a
}

// WriteStoreFile writes an object as another replica or a feed would.
func WriteStoreFile(t testing.TB, blob store.Blob, key, content string) {
	t.Helper()
	if _, err := blob.Put(context.Background(), key, []byte(content), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// StoreData reads an object's bytes.
func StoreData(t testing.TB, blob store.Blob, key string) string {
	t.Helper()
	obj, err := blob.Get(context.Background(), key, store.GetOptions{})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return string(obj.Data)
}

// ReadDemo reads a file of the demo store by its key.
func ReadDemo(t testing.TB, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(DemoDir(), filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// WaitFor polls cond until it holds or the deadline passes.
func WaitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// RouteNow is the routing clock of StartRouting: a Wednesday morning in
// the demo's inventory window.
var RouteNow = time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)

// StartRouting is a harness on the demo store with the admin API on (token
// AdminToken) and the routing clock stopped at RouteNow.
func StartRouting(t testing.TB, configure func(*config.Config)) *Harness {
	t.Helper()
	tokens := WriteTokenFile(t, AdminToken)
	return Start(t, Options{RoutingClock: FixedClock(RouteNow), Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		if configure != nil {
			configure(c)
		}
	}})
}
