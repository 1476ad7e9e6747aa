package admin_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// TestConsoleShell: the console page and its assets are served without a
// token (they hold no data) with a strict CSP; unknown files are 404.
func TestConsoleShell(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	for _, path := range []string{"/console", "/console/"} {
		resp, body := h.Get(t, path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if !strings.Contains(string(body), `id="app"`) {
			t.Errorf("GET %s: not the console shell: %.200s", path, body)
		}
	}
	_, shell := h.Get(t, "/console")
	script := regexp.MustCompile(`src="(/console/assets/[^"]+\.js)"`).FindStringSubmatch(string(shell))
	if script == nil {
		t.Fatalf("the shell loads no script: %s", shell)
	}
	resp, js := h.Get(t, script[1])
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || len(js) < 1000 {
		t.Fatalf("GET %s: %d %s, %d bytes", script[1], resp.StatusCode, resp.Header.Get("Content-Type"), len(js))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control %q", cc)
	}
	for _, path := range []string{"/console/assets/nope.js", "/console/%2e%2e/catalog.yaml", "/console/../catalog.yaml"} {
		if resp, _ := h.Get(t, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	// The data behind the page needs the token.
	if resp, _ := h.Get(t, "/admin/console/catalog"); resp.StatusCode == http.StatusOK {
		t.Error("/admin/console/catalog answered without a token")
	}
}

// TestConsoleOnAdminListener: with ADMIN_LISTEN set, the console is served
// only there, like /admin.
func TestConsoleOnAdminListener(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.AdminListen = "127.0.0.1:0"
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = h.Server.ServeAdmin(ln) }()
	admin := &origintest.Harness{URL: "http://" + ln.Addr().String()}
	if resp, _ := h.Get(t, "/console"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("console on the public listener: %d, want 404", resp.StatusCode)
	}
	// The listener accepts at once; ServeAdmin records its address as it
	// starts serving, so the first requests may still be refused as public.
	ok := false
	for range 200 {
		if resp, _ := admin.Get(t, "/console"); resp.StatusCode == http.StatusOK {
			ok = true
			break
		}
	}
	if !ok {
		t.Error("console on the admin listener: never 200")
	}
}

type consoleGrid struct {
	Swatch *struct{ Hex string }
	Cells  []struct {
		Locale         string
		ResolvedLocale string `json:"resolved_locale"`
		Hub            string
		HubPhoto       bool `json:"hub_photo"`
		Source         string
		ColourProfile  string `json:"colour_profile"`
		Space          string
		Variants       []admin.ConsoleVariant
	}
}

func consoleVariants(t *testing.T, h *origintest.Harness, body string) consoleGrid {
	t.Helper()
	resp, b := h.AdminDo(t, http.MethodPost, "/admin/console/variants", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("console variants: %d %s", resp.StatusCode, b)
	}
	var g consoleGrid
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestConsoleVariants: the grid goes through the same cache path as /img:
// the bytes, ΔE and tier it reports are what /img then serves.
func TestConsoleVariants(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	g := consoleVariants(t, h, `{"sku":"amber-oud-50ml","locales":["en-US","ja-JP","de-AT"],"hubs":["","eu-waw","us-east"],"formats":["webp","avif"]}`)
	if len(g.Cells) != 9 || g.Swatch == nil || !strings.HasPrefix(g.Swatch.Hex, "#") {
		t.Fatalf("%d cells, swatch %+v; want 9 and the declared colour", len(g.Cells), g.Swatch)
	}
	masterETag := map[string]string{}
	for _, c := range g.Cells {
		for _, v := range c.Variants {
			if c.Hub == "" {
				masterETag[c.Locale+v.Format] = v.ETag
			}
		}
	}
	for _, c := range g.Cells {
		name := c.Locale + "/" + c.Hub
		wantHubPhoto := c.Hub == "eu-waw"
		if c.HubPhoto != wantHubPhoto || strings.Contains(c.Source, "@") != wantHubPhoto {
			t.Errorf("%s: hub photo %v from %s", name, c.HubPhoto, c.Source)
		}
		wantSpace, wantICC := "srgb", "sRGB (edgeshelf compact)"
		if c.Locale == "ja-JP" {
			wantSpace, wantICC = "p3", "Display P3 (edgeshelf compact)"
		}
		if c.Locale == "de-AT" && (c.ResolvedLocale != "de-DE" || c.ColourProfile != "srgb-warm@1") {
			t.Errorf("de-AT resolved to %s with %s, want de-DE with srgb-warm@1", c.ResolvedLocale, c.ColourProfile)
		}
		if c.Space != wantSpace {
			t.Errorf("%s: space %s, want %s", name, c.Space, wantSpace)
		}
		for _, v := range c.Variants {
			// us-east has no photo of its own: the master stands in, the
			// same cache entry, rendered once for both.
			if c.Hub == "us-east" && v.ETag != masterETag[c.Locale+v.Format] {
				t.Errorf("%s %s: ETag %s, want the master's %s", name, v.Format, v.ETag, masterETag[c.Locale+v.Format])
			}
			wantTag := wantICC
			if v.Format == "avif" && wantSpace == "srgb" {
				wantTag = transform.CICPsRGB
			}
			if v.Error != "" || v.DeltaE == nil || v.Bytes == 0 || v.ICC != wantTag || (v.Tier != "render" && c.Hub != "us-east") {
				t.Errorf("%s %s: %+v, want a fresh render with ΔE and the %q tag", name, v.Format, v, wantTag)
				continue
			}
			resp, body := h.Get(t, v.URL)
			if resp.StatusCode != http.StatusOK || len(body) != v.Bytes || resp.Header.Get("ETag") != v.ETag {
				t.Errorf("GET %s: %d, %d bytes %s; the console reported %d bytes %s", v.URL, resp.StatusCode, len(body), resp.Header.Get("ETag"), v.Bytes, v.ETag)
			}
			if got := resp.Header.Get("X-Colour-DeltaE"); got != fmt.Sprintf("%.2f", *v.DeltaE) {
				t.Errorf("GET %s: ΔE %s, the console reported %.2f", v.URL, got, *v.DeltaE)
			}
			if st := resp.Header.Get("Server-Timing"); st != "tier;desc=l1" {
				t.Errorf("GET %s after the console rendered it: %s, want an L1 hit", v.URL, st)
			}
		}
	}
	again := consoleVariants(t, h, `{"sku":"amber-oud-50ml","locales":["en-US"],"hubs":["eu-waw"],"formats":["webp"]}`)
	if v := again.Cells[0].Variants[0]; v.Tier != "l1" || v.RenderMS != 0 {
		t.Errorf("second look: %+v, want an L1 hit", v)
	}
	// Defaults: the swatch view, the card preset, every locale, the master
	// and each hub photo, three formats.
	def := consoleVariants(t, h, `{"sku":"label-hoodie"}`)
	if len(def.Cells) != 6*2 || len(def.Cells[0].Variants) != 3 {
		t.Errorf("defaults: %d cells of %d variants, want 12 of 3", len(def.Cells), len(def.Cells[0].Variants))
	}

	for body, code := range map[string]string{
		`{"sku":"no-such-sku"}`:                                               "unknown_sku",
		`{"sku":"label-mug","preset":"huge"}`:                                 "unknown_preset",
		`{"sku":"label-mug","view":"back"}`:                                   "unknown_view",
		`{"sku":"label-mug","hubs":["mars"]}`:                                 "unknown_hub",
		`{"sku":"label-mug","formats":["auto"]}`:                              "unsupported_format",
		`{"sku":"label-mug","formats":["gif"]}`:                               "unsupported_format",
		`{"sku":"label-mug","locales":["a","b","c","d","e","f","g","h","i"]}`: "invalid_parameter",
		`{"sku":"label-mug","locales":["de DE"]}`:                             "invalid_locale",
		`{"sku":"label-mug","hubs":[]}`:                                       "invalid_parameter",
	} {
		resp, b := h.AdminDo(t, http.MethodPost, "/admin/console/variants", body)
		var p struct{ Code string }
		_ = json.Unmarshal(b, &p)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || p.Code != code {
			t.Errorf("%s: %d %s, want %s", body, resp.StatusCode, b, code)
		}
	}
}

// TestConsoleCache: tier counters and the busiest variants, named.
func TestConsoleCache(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	for range 3 {
		h.Get(t, "/img/label-mug/front/thumb.webp?locale=en-GB")
	}
	h.Get(t, "/img/label-cap/front/card.jpg")
	h.Cache.Wait()
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/console/cache", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var out struct {
		Stats struct {
			Tiers []struct {
				Name         string
				Hits, Misses int64
				HitRatio     float64 `json:"hit_ratio"`
			}
			Renders int64
			Top     []struct {
				Key      string
				SKU      string
				Requests int64
			}
		}
		L1       *struct{ Bytes, Budget, Entries int64 }
		Variants map[string]variant.KeyVariant
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Stats.Tiers) != 2 || out.Stats.Renders != 2 {
		t.Fatalf("stats %+v, want two tiers and two renders", out.Stats)
	}
	l1 := out.Stats.Tiers[0]
	if l1.Name != "l1" || l1.Hits != 2 || l1.Misses != 2 || l1.HitRatio != 0.5 {
		t.Errorf("l1 %+v, want 2 hits and 2 misses", l1)
	}
	if out.L1 == nil || out.L1.Entries != 2 || out.L1.Bytes <= 0 {
		t.Errorf("l1 fill %+v", out.L1)
	}
	if len(out.Stats.Top) != 2 || out.Stats.Top[0].SKU != "label-mug" || out.Stats.Top[0].Requests != 3 {
		t.Fatalf("top %+v, want label-mug first with 3 requests", out.Stats.Top)
	}
	v, ok := out.Variants[out.Stats.Top[0].Key]
	if !ok || v.View != "front" || v.Preset != "thumb" || v.Format != "webp" || strings.Join(v.Locales, ",") != "en-GB,en-US,pl-PL" {
		t.Errorf("the busiest key is described as %+v, want front/thumb/webp for the srgb-neutral locales", v)
	}
}

// TestConsoleInventoryAndRules: stock ages and the rules file as stored,
// unchanged by a refused edit.
func TestConsoleInventoryAndRules(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/console/inventory", "")
	var inv struct {
		Hubs []struct {
			Hub    string
			Loaded bool
			AgeS   *float64 `json:"age_s"`
			Items  map[string]int
		}
		Overrides []any
	}
	if err := json.Unmarshal(body, &inv); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("inventory: %d %s", resp.StatusCode, body)
	}
	if len(inv.Hubs) != 3 || inv.Overrides == nil {
		t.Fatalf("inventory %+v", inv)
	}
	for _, hub := range inv.Hubs {
		// The harness stamps the snapshots 10 s before it starts.
		if !hub.Loaded || hub.AgeS == nil || *hub.AgeS < 10 || hub.Items["amber-oud-50ml"] == 0 {
			t.Errorf("%s: %+v", hub.Hub, hub)
		}
	}

	demo, err := os.ReadFile(filepath.Join(origintest.DemoDir(), "rules", "active.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	active := func() admin.ActiveRules {
		t.Helper()
		resp, body := h.AdminDo(t, http.MethodGet, "/admin/rules/active", "")
		var a admin.ActiveRules
		if err := json.Unmarshal(body, &a); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("rules/active: %d %s", resp.StatusCode, body)
		}
		return a
	}
	if a := active(); !a.Stored || a.YAML != string(demo) || a.Serving != "demo-2026-03.1" || a.Rules != 8 {
		t.Fatalf("rules/active %+v", a)
	}
	if resp, _ := h.AdminRequest(t, http.MethodPut, "/admin/rules", "application/yaml", "version: x\nrules:\n  - kind: exclude\n    hub: atlantis\n"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("invalid rules: %d", resp.StatusCode)
	}
	if a := active(); a.YAML != string(demo) || a.Serving != "demo-2026-03.1" {
		t.Fatalf("a refused edit changed rules/active: %+v", a)
	}
	edited := strings.Replace(string(demo), "demo-2026-03.1", "console-edit", 1)
	if resp, b := h.AdminRequest(t, http.MethodPut, "/admin/rules", "application/yaml", edited); resp.StatusCode != http.StatusOK {
		t.Fatalf("valid rules: %d %s", resp.StatusCode, b)
	}
	if a := active(); a.YAML != edited || a.Serving != "console-edit" {
		t.Fatalf("after activation: %+v", a)
	}
	// Version 1 is the archived demo file, 2 the edit.
	for n, want := range map[string]string{"1": string(demo), "2": edited} {
		resp, b := h.AdminDo(t, http.MethodGet, "/admin/rules/versions/"+n, "")
		var v struct{ YAML string }
		if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != http.StatusOK || v.YAML != want {
			t.Errorf("version %s: %d %.120s", n, resp.StatusCode, b)
		}
	}
	for path, status := range map[string]int{"/admin/rules/versions/9": 404, "/admin/rules/versions/x": 400, "/admin/rules/versions/0": 400} {
		if resp, _ := h.AdminDo(t, http.MethodGet, path, ""); resp.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
}
