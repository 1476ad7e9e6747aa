package images_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/transform"
)

// The Cache-Status of a render both tiers stored, and of an L1 hit.
const (
	filledNegotiated = "edgeshelf-l2; fwd=miss; stored, edgeshelf-l1; fwd=miss; stored"
	filledExplicit   = "edgeshelf-l2; fwd=uri-miss; stored, edgeshelf-l1; fwd=uri-miss; stored"
	l1Hit            = "edgeshelf-l1; hit"
	hintsVary        = "Accept, Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width"
)

// TestClientHints serves .auto presets of a 2400 px and a 1200 px source
// through the real origin under DPR, width and viewport hints, and decodes
// each response:
// its pixel width, Vary and Cache-Status. The cases run in order on one
// origin, so a case whose hints resolve to a width served before must be
// an L1 hit: equal resolutions share one cache entry. MAX_OUTPUT_WIDTH is
// 2000 here so the limit case needs no larger source.
func TestClientHints(t *testing.T) {
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Transform.MaxOutputWidth = 2000
	}})
	const big, small = "/img/amber-oud-50ml/front/", "/img/label-tee/front/" // 2400 and 1200 px squares
	cases := []struct {
		name, path string
		headers    []string
		wantW      int
		wantH      int // 0: not checked (inside follows the source)
		vary       string
		status     string
	}{
		{"no hints: the preset", big + "card.auto", nil, 480, 0, hintsVary, filledNegotiated},
		{"malformed dpr is ignored", big + "card.auto", []string{"Sec-CH-DPR", "NaN"}, 480, 0, hintsVary, l1Hit},
		{"dpr 1 is no hint", big + "card.auto", []string{"Sec-CH-DPR", "1.0"}, 480, 0, hintsVary, l1Hit},
		{"dpr 2 doubles", big + "card.auto", []string{"Sec-CH-DPR", "2"}, 960, 0, hintsVary, filledNegotiated},
		{"dpr 2.2 rounds to 2", big + "card.auto", []string{"Sec-CH-DPR", "2.2"}, 960, 0, hintsVary, l1Hit},
		{"dpr 2.625 rounds to 3", big + "card.auto", []string{"Sec-CH-DPR", "2.625"}, 1440, 0, hintsVary, filledNegotiated},
		{"dpr 7 is clamped to 3", big + "card.auto", []string{"Sec-CH-DPR", "7"}, 1440, 0, hintsVary, l1Hit},
		{"width snaps up", big + "card.auto", []string{"Sec-CH-Width", "300"}, 320, 0, hintsVary, filledNegotiated},
		{"width on the same rung", big + "card.auto", []string{"Sec-CH-Width", "161"}, 320, 0, hintsVary, l1Hit},
		{"width at dpr 2", big + "card.auto", []string{"Sec-CH-DPR", "2", "Sec-CH-Width", "700"}, 800, 0, hintsVary, filledNegotiated},
		{"width past preset × dpr", big + "card.auto", []string{"Sec-CH-DPR", "2", "Sec-CH-Width", "1900"}, 960, 0, hintsVary, l1Hit},
		{"malformed width: dpr alone", big + "card.auto", []string{"Sec-CH-DPR", "2", "Sec-CH-Width", "12px"}, 960, 0, hintsVary, l1Hit},
		{"phone viewport at dpr 2", big + "card.auto", []string{"Sec-CH-DPR", "2", "Sec-CH-Viewport-Width", "375"}, 800, 0, hintsVary, l1Hit},
		{"wide viewport", big + "card.auto", []string{"Sec-CH-Viewport-Width", "1440"}, 480, 0, hintsVary, l1Hit},
		{"cover keeps its box", big + "thumb.auto", []string{"Sec-CH-DPR", "2"}, 400, 400, hintsVary, filledNegotiated},
		{"cover snaps", big + "thumb.auto", []string{"Sec-CH-Width", "150"}, 160, 160, hintsVary, filledNegotiated},
		{"output limit", big + "pdp.auto", []string{"Sec-CH-DPR", "2"}, 2000, 0, hintsVary, filledNegotiated},
		{"small source: dpr 3 stops at its pixels", small + "card.auto", []string{"Sec-CH-DPR", "3"}, 1200, 0, hintsVary, filledNegotiated},
		{"small source: dpr 2 is below them", small + "card.auto", []string{"Sec-CH-DPR", "2"}, 960, 0, hintsVary, filledNegotiated},
		{"small source: a wide slot at dpr 3", small + "card.auto", []string{"Sec-CH-DPR", "3", "Sec-CH-Width", "1900"}, 1200, 0, hintsVary, l1Hit},
		{"small source: pdp is card at dpr 3", small + "pdp.auto", nil, 1200, 0, hintsVary, l1Hit},
		{"small source: pdp at dpr 2 is pdp", small + "pdp.auto", []string{"Sec-CH-DPR", "2"}, 1200, 0, hintsVary, l1Hit},
		{"explicit formats ignore hints", big + "card.jpg", []string{"Sec-CH-DPR", "2"}, 480, 0, "", filledExplicit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := h.Get(t, c.path, append([]string{"Accept", "image/webp,image/*"}, c.headers...)...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got, err := transform.Decode(body, h.Config.Transform)
			if err != nil {
				t.Fatal(err)
			}
			if got.Width != c.wantW || (c.wantH != 0 && got.Height != c.wantH) {
				t.Errorf("size %d×%d, want width %d (height %d)", got.Width, got.Height, c.wantW, c.wantH)
			}
			if v := resp.Header.Get("Vary"); v != c.vary {
				t.Errorf("Vary %q, want %q", v, c.vary)
			}
			if s := resp.Header.Get("Cache-Status"); s != c.status {
				t.Errorf("Cache-Status %q, want %q", s, c.status)
			}
			wantCH := ""
			if c.vary != "" {
				wantCH = "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width"
			}
			if ch := resp.Header.Get("Accept-CH"); ch != wantCH {
				t.Errorf("Accept-CH %q, want %q", ch, wantCH)
			}
		})
	}
}

// TestCacheStatusTiers follows one variant through the tiers: a render
// fills both, the next request is an L1 hit, and after L1 loses it the L2
// hit fills L1 again; with L2 off, only L1 is named.
func TestCacheStatusTiers(t *testing.T) {
	const path = "/img/label-tee/front/card.webp"
	h := origintest.Start(t, origintest.Options{})
	steps := []struct {
		name, want string
		before     func()
	}{
		{"render fills both", filledExplicit, nil},
		{"l1 hit", l1Hit, nil},
		{"l2 hit fills l1", "edgeshelf-l2; hit, edgeshelf-l1; fwd=uri-miss; stored", func() {
			h.Cache.Wait() // the L2 write runs in the background
			if n, err := h.Memory.Purge(context.Background(), "label-tee"); err != nil || n == 0 {
				t.Fatalf("purging L1: %d, %v", n, err)
			}
		}},
		{"l1 hit again", l1Hit, nil},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		resp, body := h.Get(t, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", s.name, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Cache-Status"); got != s.want {
			t.Errorf("%s: Cache-Status %q, want %q (Server-Timing %q)", s.name, got, s.want, resp.Header.Get("Server-Timing"))
		}
	}

	noL2 := origintest.Start(t, origintest.Options{NoL2: true})
	for _, want := range []string{"edgeshelf-l1; fwd=uri-miss; stored", l1Hit} {
		resp, _ := noL2.Get(t, path)
		if got := resp.Header.Get("Cache-Status"); got != want {
			t.Errorf("without L2: Cache-Status %q, want %q", got, want)
		}
	}
}
