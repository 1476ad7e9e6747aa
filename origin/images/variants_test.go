package images_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

func TestAdHocVariants(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	tcfg := h.Config.Transform
	for _, c := range []struct {
		query      string
		w, h       int
		wantStatus int
		field      string
	}{
		{"w=300", 300, 300, 200, ""},
		{"w=150&dpr=2", 300, 300, 200, ""},
		{"w=300&h=100&fit=cover", 300, 100, 200, ""},
		{"w=300&h=100&fit=contain", 300, 100, 200, ""},
		{"w=300&h=100&fit=fill", 300, 100, 200, ""},
		{"w=300&h=100&fit=inside", 100, 100, 200, ""},
		{"w=1000&dpr=2", 1200, 1200, 200, ""},           // capped at the 1200 px source
		{"w=1000&dpr=2&enlarge=1", 2000, 2000, 200, ""}, // unless enlarge=1
		{"w=300&h=100&fit=cover&g=north", 300, 100, 200, ""},
		{"w=5000", 0, 0, 400, "w"},
		{"w=100&dpr=9", 0, 0, 400, "dpr"},
		{"w=100&q=0", 0, 0, 400, "q"},
		{"w=100&fit=zoom", 0, 0, 400, "fit"},
		{"w=100&utm_source=x", 0, 0, 400, "utm_source"},
		{"w=100&fmt=png", 0, 0, 400, "fmt"},
		{"", 0, 0, 400, "w"},
	} {
		t.Run(c.query, func(t *testing.T) {
			resp, body := h.Get(t, "/img/label-mug/front/_.webp?"+c.query)
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.wantStatus, body)
			}
			if c.wantStatus != 200 {
				if p := origintest.DecodeProblem(t, resp, body); p.Field != c.field {
					t.Fatalf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
				return
			}
			px, err := transform.Decode(body, tcfg)
			if err != nil {
				t.Fatal(err)
			}
			if px.Width != c.w || px.Height != c.h {
				t.Fatalf("%d×%d, want %d×%d", px.Width, px.Height, c.w, c.h)
			}
		})
	}
	// Aliases and parameter order reach the same cached variant.
	a, _ := h.Get(t, "/img/label-mug/front/_.jpg?w=240&h=240&fit=cover")
	b, _ := h.Get(t, "/img/label-mug/front/_.jpg?fit=crop&height=120&width=120&dpr=2&gravity=center")
	if a.Header.Get("ETag") != b.Header.Get("ETag") || b.Header.Get("Server-Timing") != "tier;desc=l1" {
		t.Errorf("equivalent ad-hoc URLs were rendered twice (%s, %s)", a.Header.Get("Server-Timing"), b.Header.Get("Server-Timing"))
	}
}

func TestSignedURLs(t *testing.T) {
	keys := origintest.WriteKeyFile(t)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.SigningKeyFile = keys }})
	const path = "/img/label-cap/front/_.webp"
	if resp, body := h.Get(t, path+"?w=100"); resp.StatusCode != http.StatusForbidden || origintest.DecodeProblem(t, resp, body).Code != "signature_required" {
		t.Fatalf("unsigned ad-hoc URL: %d %s", resp.StatusCode, body)
	}
	signed, err := signing.SignURL(h.Server.Signer(), path+"?w=100&locale=de-DE")
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := h.Get(t, signed); resp.StatusCode != 200 {
		t.Fatalf("signed URL %s: %d %s", signed, resp.StatusCode, body)
	}
	// Any change to the path or query breaks the signature.
	for _, tampered := range []string{
		strings.Replace(signed, "w=100", "w=2000", 1),
		strings.Replace(signed, "label-cap", "label-mug", 1),
		strings.Replace(signed, "kid=k2", "kid=k1", 1),
		strings.Replace(signed, "kid=k2", "kid=nope", 1),
		signed + "&h=50",
	} {
		if resp, body := h.Get(t, tampered); resp.StatusCode != http.StatusForbidden || origintest.DecodeProblem(t, resp, body).Code != "invalid_signature" {
			t.Errorf("tampered %s: %d %s", tampered, resp.StatusCode, body)
		}
	}
	// Presets need no signature unless configured.
	if resp, _ := h.Get(t, "/img/label-cap/front/thumb.webp"); resp.StatusCode != 200 {
		t.Errorf("preset URL without signature: %d", resp.StatusCode)
	}
}

// TestLocales: the same SKU under two locales with different colour
// profiles gives different bytes and cache entries, the right embedded
// profile, and — after calibration — a swatch within ΔE2000 2 of the
// declared colour, for the master and for the hub photo.
func TestLocales(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	tcfg := h.Config.Transform
	for _, path := range []string{"/img/amber-oud-50ml/front/card.webp", "/img/amber-oud-50ml/front/card.jpg?hub=eu-waw"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		results := map[string]origintest.Response{}
		bodies := map[string]string{}
		for locale, profile := range map[string]string{"en-US": "sRGB (edgeshelf compact)", "ja-JP": "Display P3 (edgeshelf compact)"} {
			resp, body := h.Get(t, path+sep+"locale="+locale)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d %s", path, locale, resp.StatusCode, body)
			}
			info, err := transform.Inspect(body, tcfg)
			if err != nil {
				t.Fatal(err)
			}
			if desc, _ := colour.ProfileDescription(info.ICCProfile); desc != profile {
				t.Errorf("%s %s: embedded profile %q, want %q", path, locale, desc, profile)
			}
			de, err := strconv.ParseFloat(resp.Header.Get("X-Colour-DeltaE"), 64)
			if err != nil || de > 2 {
				t.Errorf("%s %s: X-Colour-DeltaE %q, want ≤ 2", path, locale, resp.Header.Get("X-Colour-DeltaE"))
			}
			if resp.Header.Get("Content-Language") != locale {
				t.Errorf("%s %s: Content-Language %q", path, locale, resp.Header.Get("Content-Language"))
			}
			results[locale], bodies[locale] = resp, string(body)
		}
		if bodies["en-US"] == bodies["ja-JP"] || results["en-US"].Header.Get("ETag") == results["ja-JP"].Header.Get("ETag") {
			t.Errorf("%s: two locales with different profiles served the same variant", path)
		}
	}
	// Fallback chain: de-AT → de-DE, an unknown language → the default.
	resp, _ := h.Get(t, "/img/label-mug/front/thumb.jpg?locale=de-AT")
	if resp.Header.Get("Content-Language") != "de-DE" {
		t.Errorf("de-AT resolved to %q, want de-DE", resp.Header.Get("Content-Language"))
	}
	resp, _ = h.Get(t, "/img/label-mug/front/thumb.jpg?locale=xx-YY")
	if resp.Header.Get("Content-Language") != "en-US" {
		t.Errorf("xx-YY resolved to %q, want en-US", resp.Header.Get("Content-Language"))
	}
}
