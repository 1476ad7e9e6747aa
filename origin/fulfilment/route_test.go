package fulfilment_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
)

// noNodeBody is the 409 problem with its extension members.
type noNodeBody struct {
	origintest.Problem
	RulesVersion string                `json:"rules_version"`
	Reasons      map[string]string     `json:"reasons"`
	Candidates   []routing.Alternative `json:"candidates"`
}

func post(t testing.TB, h *origintest.Harness, path, contentType, body string, headers ...string) (origintest.Response, []byte) {
	t.Helper()
	if contentType != "" {
		headers = append(headers, "Content-Type", contentType)
	}
	return h.Do(t, http.MethodPost, path, body, headers...)
}

// TestRoute runs orders through POST and GET /route on the demo store
// (demo/rules/active.yaml, demo/inventory/*.json).
func TestRoute(t *testing.T) {
	h := origintest.Start(t, origintest.Options{RoutingClock: origintest.FixedClock(origintest.RouteNow)})
	const ctJSON = "application/json"
	tests := []struct {
		name        string
		get         string // a GET query; else body is POSTed
		body, ctype string
		status      int
		// For 200s.
		node, badge string
		alt         map[string]string // node -> reason among the alternatives
		// For problems.
		code, field string
	}{
		{
			name: "nearest hub holding 2 units wins (en-US)", body: origintest.OrderJSON("amber-oud-50ml", 1, "DE", "en-US"),
			status: 200, node: "eu-waw", badge: "Ships from EU hub — 24–48h in region",
			alt: map[string]string{"central": "", "us-east": routing.ReasonOutsideRegions},
		},
		{
			name: "nearest hub holding 2 units wins (de-DE)", body: origintest.OrderJSON("amber-oud-50ml", 1, "DE", "de-DE"),
			status: 200, node: "eu-waw", badge: "Versand aus dem EU-Lager — 24–48 Std. in der Region",
		},
		{
			name: "the same language resolves to the locale (de-AT → de-DE)", body: origintest.OrderJSON("vetiver-noir-50ml", 1, "AT", "de-AT"),
			status: 200, node: "eu-waw", badge: "Versand aus dem EU-Lager — 24–48 Std. in der Region",
		},
		{
			name: "1 unit at the EU hub falls through to central", body: origintest.OrderJSON("rose-absolute-30ml", 1, "DE", "de-DE"),
			status: 200, node: "central", badge: "Versand aus dem Zentrallager — 48–96 Std. in der Region",
			alt: map[string]string{"eu-waw": routing.ReasonBelowMin},
		},
		{
			name: "1 unit at the US hub falls through to central", body: origintest.OrderJSON("label-mug", 1, "US", "en-US"),
			status: 200, node: "central", badge: "Ships from Central warehouse — 72–120h in region",
			alt: map[string]string{"us-east": routing.ReasonBelowMin, "eu-waw": routing.ReasonOutsideRegions},
		},
		{
			name: "the US hub ships to the US", body: origintest.OrderJSON("rose-absolute-30ml", 2, "US", "en-US"),
			status: 200, node: "us-east", badge: "Ships from US East hub — 24–72h in region",
		},
		{
			name: "more than the hub holds is out of stock there", body: origintest.OrderJSON("amber-oud-50ml", 7, "PL", "pl-PL"),
			status: 200, node: "central", alt: map[string]string{"eu-waw": routing.ReasonOutOfStock},
		},
		{name: "malformed JSON", body: `{"lines":[`, status: 400, code: "invalid_json"},
		{name: "empty body", body: ``, status: 400, code: "invalid_json"},
		{name: "unknown field", body: `{"lines":[{"sku":"label-mug","qty":1}],"destination":{"country":"DE"},"colour":"red"}`, status: 400, code: "invalid_json"},
		{name: "not JSON", body: origintest.OrderJSON("label-mug", 1, "DE", ""), ctype: "text/plain", status: 415, code: "unsupported_media_type"},
		{name: "unknown SKU", body: origintest.OrderJSON("nope", 1, "DE", "en-US"), status: 404, code: "unknown_sku", field: "lines[0].sku"},
		{name: "zero quantity", body: origintest.OrderJSON("label-mug", 0, "DE", "en-US"), status: 400, code: "invalid_order", field: "lines[0].qty"},
		{name: "no lines", body: `{"lines":[],"destination":{"country":"DE"}}`, status: 400, code: "invalid_order", field: "lines"},
		{name: "bad country", body: origintest.OrderJSON("label-mug", 1, "Germany", "en-US"), status: 400, code: "invalid_order", field: "destination.country"},
		{
			name: "lat without lon", body: `{"lines":[{"sku":"label-mug","qty":1}],"destination":{"country":"DE","lat":52.5}}`,
			status: 400, code: "invalid_order", field: "destination",
		},

		{
			name: "GET for product pages", get: "sku=amber-oud-50ml&country=PL&locale=pl-PL",
			status: 200, node: "eu-waw", badge: "Wysyłka z magazynu w UE — 24–48 godz. w regionie",
		},
		{
			name: "GET with a quantity and a point", get: "sku=label-tee&qty=3&country=CA&lat=43.64&lon=-79.39&locale=en-US",
			status: 200, node: "us-east",
		},
		{name: "GET without sku", get: "country=DE", status: 400, code: "invalid_order", field: "sku"},
		{name: "GET bad qty", get: "sku=label-mug&qty=two&country=DE", status: 400, code: "invalid_order", field: "qty"},
		{name: "GET zero qty", get: "sku=label-mug&qty=0&country=DE", status: 400, code: "invalid_order", field: "qty"},
		{name: "GET unknown SKU", get: "sku=nope&country=DE", status: 404, code: "unknown_sku", field: "sku"},
		{name: "GET bad country", get: "sku=label-mug&country=Germany", status: 400, code: "invalid_order", field: "country"},
		{name: "GET bad lat", get: "sku=label-mug&country=DE&lat=north&lon=1", status: 400, code: "invalid_order", field: "lat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp origintest.Response
			var body []byte
			if tt.get != "" {
				resp, body = h.Get(t, "/route?"+tt.get)
			} else {
				ctype := tt.ctype
				if ctype == "" {
					ctype = ctJSON
				}
				resp, body = post(t, h, "/route", ctype, tt.body)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				p := origintest.DecodeProblem(t, resp, body)
				if p.Code != tt.code || p.Field != tt.field {
					t.Errorf("problem %s field %q, want %s field %q (%s)", p.Code, p.Field, tt.code, tt.field, p.Detail)
				}
				return
			}
			wantCC := "no-store"
			if tt.get != "" {
				wantCC = "public, max-age=30"
			}
			if cc := resp.Header.Get("Cache-Control"); cc != wantCC {
				t.Errorf("Cache-Control %q, want %q", cc, wantCC)
			}
			a := origintest.DecodeRoute(t, resp, body)
			if a.Node.ID != tt.node {
				t.Fatalf("node %s, want %s (alternatives %s)", a.Node.ID, tt.node, body)
			}
			if tt.badge != "" && a.Badge != tt.badge {
				t.Errorf("badge %q, want %q", a.Badge, tt.badge)
			}
			if a.BadgeStale || a.InventoryAgeS > 30 {
				t.Errorf("badge_stale %v, inventory age %ds: the harness inventory should be fresh", a.BadgeStale, a.InventoryAgeS)
			}
			if a.RulesVersion != "demo-2026-03.1" || a.DecisionID == "" || !a.DecidedAt.Equal(origintest.RouteNow) {
				t.Errorf("rules_version %q, decision_id %q, decided_at %s", a.RulesVersion, a.DecisionID, a.DecidedAt)
			}
			for node, reason := range tt.alt {
				if got, ok := origintest.ReasonOf(a.Alternatives, node); !ok || got != reason {
					t.Errorf("alternative %s: reason %q (listed %v), want %q", node, got, ok, reason)
				}
			}
			checkImages(t, h, a, false)
		})
	}
}

// checkImages checks the image set: every view of every ordered SKU, the
// hub's own photo where it has one, srcset over card/pdp/zoom, and
// signatures exactly when signing is on.
func checkImages(t *testing.T, h *origintest.Harness, a origintest.RouteAnswer, signed bool) {
	t.Helper()
	cat := h.Catalog.Current()
	if len(a.Images) == 0 {
		t.Fatal("no images")
	}
	for _, iv := range a.Images {
		sku, ok := cat.SKU(iv.SKU)
		if !ok || !slices.Contains(sku.Views, iv.View) {
			t.Errorf("image of %s/%s: not in the catalog", iv.SKU, iv.View)
			continue
		}
		wantHub := ""
		if slices.Contains(cat.HubPhotos(iv.SKU, iv.View), a.Node.ID) {
			wantHub = a.Node.ID
		}
		if iv.Hub != wantHub {
			t.Errorf("%s/%s: hub %q, want %q", iv.SKU, iv.View, iv.Hub, wantHub)
		}
		entries := strings.Split(iv.Srcset, ", ")
		if len(entries) != 3 || !strings.HasSuffix(entries[0], " 480w") || !strings.HasSuffix(entries[2], " 2400w") {
			t.Errorf("%s/%s: srcset %q, want card, pdp and zoom with widths", iv.SKU, iv.View, iv.Srcset)
		}
		for i, u := range []string{iv.Card, iv.PDP, iv.Zoom} {
			if !strings.HasPrefix(entries[min(i, len(entries)-1)], u+" ") {
				t.Errorf("srcset %q does not start entry %d with %s", iv.Srcset, i, u)
			}
			parsed, err := url.Parse(u)
			if err != nil || !strings.HasPrefix(parsed.Path, "/img/"+iv.SKU+"/"+iv.View+"/") {
				t.Errorf("image URL %q", u)
				continue
			}
			q := parsed.Query()
			if q.Get("locale") != a.Locale || q.Get("hub") != wantHub {
				t.Errorf("%s: locale %q hub %q, want %q %q", u, q.Get("locale"), q.Get("hub"), a.Locale, wantHub)
			}
			if has := q.Get("sig") != "" && q.Get("kid") != ""; has != signed {
				t.Errorf("%s: signed %v, want %v", u, has, signed)
			}
		}
	}
}

// With central's stock counted, a SKU sold out everywhere has nowhere to
// ship from: 409 no_fulfilment_node with every node's reason.
func TestRouteNoNode(t *testing.T) {
	blob := origintest.DemoStore(t)
	origintest.WriteStoreFile(t, blob, routing.ActiveKey, strings.NewReplacer(
		`version: "demo-2026-03.1"`, `version: "demo-central-counted"`,
		"central_stock: unlimited", "central_stock: inventory",
	).Replace(origintest.ReadDemo(t, routing.ActiveKey)))
	origintest.FreshInventory(t, blob, origintest.RouteNow.Add(-10*time.Second))
	h := origintest.Start(t, origintest.Options{Store: blob, RoutingClock: origintest.FixedClock(origintest.RouteNow)})

	for _, tc := range []struct {
		name, get, body string
		reasons         map[string]string
	}{
		{"POST to Germany", "", origintest.OrderJSON("label-cap", 1, "DE", "de-DE"), map[string]string{
			"eu-waw": routing.ReasonOutOfStock, "central": routing.ReasonOutOfStock, "us-east": routing.ReasonOutsideRegions}},
		{"GET to the US", "sku=label-cap&country=US&locale=en-US", "", map[string]string{
			"eu-waw": routing.ReasonOutsideRegions, "central": routing.ReasonOutOfStock, "us-east": routing.ReasonOutOfStock}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp origintest.Response
			var body []byte
			if tc.get != "" {
				resp, body = h.Get(t, "/route?"+tc.get)
			} else {
				resp, body = post(t, h, "/route", "application/json", tc.body)
			}
			if resp.StatusCode != http.StatusConflict {
				t.Fatalf("status %d, want 409: %s", resp.StatusCode, body)
			}
			p := origintest.DecodeProblem(t, resp, body)
			if p.Code != "no_fulfilment_node" {
				t.Errorf("code %q", p.Code)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q on a 409", cc)
			}
			var nb noNodeBody
			if err := json.Unmarshal(body, &nb); err != nil {
				t.Fatal(err)
			}
			if nb.RulesVersion != "demo-central-counted" || len(nb.Candidates) != 3 {
				t.Errorf("rules_version %q, %d candidates: %s", nb.RulesVersion, len(nb.Candidates), body)
			}
			for node, want := range tc.reasons {
				if nb.Reasons[node] != want {
					t.Errorf("reasons[%s] = %q, want %q", node, nb.Reasons[node], want)
				}
				if got, _ := origintest.ReasonOf(nb.Candidates, node); got != want {
					t.Errorf("candidate %s: reason %q, want %q", node, got, want)
				}
			}
			for _, c := range nb.Candidates {
				if c.Detail == "" {
					t.Errorf("candidate %s has no detail", c.Node.ID)
				}
			}
		})
	}
}

// With a signing key, every image URL of a decision is signed, and the
// signatures verify where /img requires them (SIGN_PRESETS).
func TestRouteImagesSigned(t *testing.T) {
	keys := origintest.WriteKeyFile(t)
	h := origintest.Start(t, origintest.Options{RoutingClock: origintest.FixedClock(origintest.RouteNow), Configure: func(c *config.Config) {
		c.Origin.SigningKeyFile = keys
		c.Origin.SignPresets = true
	}})
	resp, body := post(t, h, "/route", "application/json", origintest.OrderJSON("amber-oud-50ml", 1, "DE", "de-DE"))
	a := origintest.DecodeRoute(t, resp, body)
	if a.Node.ID != "eu-waw" || len(a.Images) != 3 {
		t.Fatalf("node %s with %d images: %s", a.Node.ID, len(a.Images), body)
	}
	checkImages(t, h, a, true)
	front := a.Images[0]
	if front.View != "front" || front.Hub != "eu-waw" {
		t.Fatalf("first image %+v, want the Warsaw hub's own front photo", front)
	}
	if resp, body := h.Get(t, front.Card); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		t.Fatalf("GET %s: %d %s", front.Card, resp.StatusCode, body)
	}
	if resp, _ := h.Get(t, strings.Replace(front.Card, "hub=eu-waw", "hub=us-east", 1)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a tampered image URL: %d, want 403", resp.StatusCode)
	}
	// The GET form signs too.
	resp, body = h.Get(t, "/route?sku=label-hoodie&country=GB&locale=en-GB")
	checkImages(t, h, origintest.DecodeRoute(t, resp, body), true)
}

// BenchmarkRouteHTTP is POST /route on loopback through the whole stack
// (fiber, strict JSON, the engine on the demo rules and inventory, image
// sets): decisions/s and the p99 of per-request latency.
func BenchmarkRouteHTTP(b *testing.B) {
	keys := ""
	for _, bc := range []struct {
		name     string
		signed   bool
		parallel bool
	}{
		{"serial", false, false},
		{"serial-signed", true, false},
		{"parallel", false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.signed && keys == "" {
				keys = origintest.WriteKeyFile(b)
			}
			h := origintest.Start(b, origintest.Options{Configure: func(c *config.Config) {
				if bc.signed {
					c.Origin.SigningKeyFile = keys
				}
			}})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}
			body := []byte(origintest.OrderJSON("amber-oud-50ml", 1, "DE", "de-DE"))
			do := func() time.Duration {
				start := time.Now()
				resp, err := client.Post(h.URL+"/route", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				return time.Since(start)
			}
			do() // connect, warm the pools
			var mu sync.Mutex
			var lat []time.Duration
			start := time.Now()
			if bc.parallel {
				b.RunParallel(func(pb *testing.PB) {
					var mine []time.Duration
					for pb.Next() {
						mine = append(mine, do())
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
			} else {
				for b.Loop() {
					lat = append(lat, do())
				}
			}
			elapsed := time.Since(start)
			slices.Sort(lat)
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "decisions/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
