package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/internal/chromiumtest"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// The console driven by a real headless Chromium against a real origin on
// the demo store: what an operator clicks, and what the page then shows,
// compared with what the API answers.

const adminToken = "console-browser-test-token-0123"

// Screenshots of whole pages are written to docs/img/ with
// UPDATE_SCREENSHOTS=1 (make screenshots), at this fixed viewport.
const viewportW, viewportH = 1400, 1000

// browser starts a headless Chromium with a fresh profile, kept off the
// network (chromiumtest.Options).
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := chromiumtest.Options(t, chromedp.WindowSize(viewportW, viewportH))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	start := time.Now()
	// The first action starts the browser, whose life is bound to the
	// context of that call: ctx, so no step timeout here (go test's bounds it).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	t.Logf("chromium started in %s", time.Since(start).Round(time.Millisecond))

	// Page errors are kept and shown when the test fails.
	var mu sync.Mutex
	var msgs []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == "error" {
				mu.Lock()
				msgs = append(msgs, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() {
			for _, m := range msgs {
				t.Log("page console:", m)
			}
		}
	})
	return ctx
}

// step runs browser actions with a bound on their time.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") == "" {
		return
	}
	// From the top: the sticky header would otherwise sit mid-picture.
	step(t, ctx, "scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(origintest.RepoRoot(), "docs", "img", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
}

func admin(t *testing.T, h *origintest.Harness, method, path, body string) (int, []byte) {
	t.Helper()
	headers := []string{"Authorization", "Bearer " + adminToken}
	if body != "" {
		headers = append(headers, "Content-Type", "application/json")
	}
	resp, b := h.Do(t, method, path, body, headers...)
	return resp.StatusCode, b
}

func TestConsoleInBrowser(t *testing.T) {
	began := time.Now()
	ctx := browser(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte(adminToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		// The harness stamps stock counts 10 s before start; a long stale
		// age keeps every badge on the regular wording however long the
		// browser takes.
		c.Routing.StaleAfter = time.Hour
		c.Routing.SkipAfter = 2 * time.Hour
	}})

	if !t.Run("login", func(t *testing.T) {
		step(t, ctx, "open the console",
			chromedp.Navigate(h.URL+"/console"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), "not-the-token-0123456789"),
			chromedp.Click(chromedp.ID("login")),
		)
		waitFor(t, ctx, "the refusal", `document.querySelector('[role=alert]')?.textContent.includes('not accepted')`)
		step(t, ctx, "sign in",
			chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('#token');
				i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); })()`),
			chromedp.SendKeys(chromedp.ID("token"), adminToken),
			chromedp.Click(chromedp.ID("login")),
			chromedp.WaitVisible(chromedp.ID("tab-variants")),
		)
		if got := eval[string](t, ctx, `sessionStorage.getItem('edgeshelf.admin-token')`); got != adminToken {
			t.Errorf("the token is kept as %q", got)
		}
	}) {
		return
	}

	if !t.Run("variants", func(t *testing.T) {
		// The panel opens on the demo's swatch SKU; compare two locales:
		// en-US (sRGB) and ja-JP (Display P3), master and eu-waw photo.
		waitFor(t, ctx, "the first grid", `document.querySelectorAll('[data-testid=variant-cell]').length > 0`)
		if sku := eval[string](t, ctx, `document.querySelector('#variant-sku').value`); sku != "amber-oud-50ml" {
			t.Fatalf("the variant view opened on %q, want the swatch SKU amber-oud-50ml", sku)
		}
		want := map[string]bool{"en-US": true, "ja-JP": true}
		boxes := eval[[]string](t, ctx, `[...document.querySelectorAll('input[name=locale]')].filter(b => b.checked).map(b => b.value)`)
		for _, b := range boxes {
			if !want[b] {
				step(t, ctx, "untick "+b, chromedp.Click(chromedp.CSS(`input[name=locale][value="`+b+`"]`)))
			}
		}
		for l := range want {
			if eval[bool](t, ctx, `!document.querySelector('input[name=locale][value="`+l+`"]').checked`) {
				step(t, ctx, "tick "+l, chromedp.Click(chromedp.CSS(`input[name=locale][value="`+l+`"]`)))
			}
		}
		step(t, ctx, "show images", chromedp.Click(chromedp.ID("variant-load")))
		waitFor(t, ctx, "a grid of the two locales", `(() => {
			const cells = [...document.querySelectorAll('[data-testid=variant-cell]')];
			return cells.length === 4 && cells.every(c => c.dataset.locale === 'en-US' || c.dataset.locale === 'ja-JP');
		})()`)
		waitFor(t, ctx, "every image decoded", `[...document.querySelectorAll('img[data-role=variant-image]')].every(i => i.complete && i.naturalWidth > 0)`)

		// The same request through the API: the variants are cached now, so
		// the ΔE values are the ones the page shows.
		status, body := admin(t, h, http.MethodPost, "/admin/console/variants",
			`{"sku":"amber-oud-50ml","locales":["en-US","ja-JP"],"hubs":["","eu-waw"],"formats":["webp"]}`)
		if status != http.StatusOK {
			t.Fatalf("console variants: %d %s", status, body)
		}
		var grid struct {
			Cells []struct {
				Locale, Hub string
				HubPhoto    bool `json:"hub_photo"`
				Space       string
				Variants    []struct {
					Tier   string
					DeltaE *float64 `json:"delta_e"`
					Bytes  int
				}
			}
		}
		if err := json.Unmarshal(body, &grid); err != nil {
			t.Fatal(err)
		}
		if len(grid.Cells) != 4 {
			t.Fatalf("API grid has %d cells, want 4", len(grid.Cells))
		}
		for _, c := range grid.Cells {
			v := c.Variants[0]
			if v.DeltaE == nil || v.Bytes == 0 || v.Tier != "l1" {
				t.Fatalf("%s/%q: %+v, want a cached variant with a ΔE", c.Locale, c.Hub, v)
			}
			if c.Hub == "eu-waw" && !c.HubPhoto {
				t.Errorf("eu-waw cell did not use the hub's own photo")
			}
			sel := fmt.Sprintf(`[data-testid=variant-cell][data-locale=%q][data-hub=%q]`, c.Locale, c.Hub)
			info := eval[struct {
				Width int    `json:"width"`
				Delta string `json:"delta"`
				Text  string `json:"text"`
			}](t, ctx, `(() => { const c = document.querySelector('`+sel+`');
				return {width: c.querySelector('img').naturalWidth, delta: c.querySelector('[data-role=delta-e] b').textContent, text: c.textContent}; })()`)
			if info.Width <= 0 {
				t.Errorf("%s: the image did not decode", sel)
			}
			if want := fmt.Sprintf("%.2f", *v.DeltaE); info.Delta != want {
				t.Errorf("%s: page shows ΔE %q, the API measured %s", sel, info.Delta, want)
			}
			wantSpace := map[string]string{"srgb": "sRGB output", "p3": "Display P3 output"}[c.Space]
			if !strings.Contains(info.Text, wantSpace) {
				t.Errorf("%s: %q does not name the output space %q", sel, info.Text, wantSpace)
			}
		}
		screenshot(t, ctx, "console-variants.png")
	}) {
		return
	}

	if !t.Run("routing", func(t *testing.T) {
		step(t, ctx, "open the simulator", chromedp.Click(chromedp.ID("tab-routing")), chromedp.WaitVisible(chromedp.ID("world-map")))
		// The simulator opens on Germany with the German locale.
		if got := eval[string](t, ctx, `document.querySelector('#route-country').value + ' ' + document.querySelector('#route-locale').value`); got != "DE de-DE" {
			t.Fatalf("simulator opened on %q, want DE de-DE", got)
		}
		step(t, ctx, "simulate", chromedp.Click(chromedp.ID("route-go")), chromedp.WaitVisible(chromedp.ID("badge")))
		badge := eval[string](t, ctx, `document.querySelector('#badge').textContent`)
		status, body := h.Do(t, http.MethodPost, "/route",
			`{"lines":[{"sku":"amber-oud-50ml","qty":1}],"destination":{"country":"DE"},"locale":"de-DE"}`, "Content-Type", "application/json")
		if status.StatusCode != http.StatusOK {
			t.Fatalf("POST /route: %d %s", status.StatusCode, body)
		}
		var d struct {
			Badge string
			Node  struct{ ID string }
		}
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatal(err)
		}
		if badge != d.Badge || badge == "" {
			t.Errorf("page badge %q, POST /route badge %q", badge, d.Badge)
		}
		if node := eval[string](t, ctx, `document.querySelector('#route-node').textContent`); !strings.Contains(node, "("+d.Node.ID+")") {
			t.Errorf("page says it ships from %q, the decision says %s", node, d.Node.ID)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#route-alternatives tbody tr').length`); n != 2 {
			t.Errorf("%d alternatives shown, want the 2 other nodes", n)
		}
		waitFor(t, ctx, "the product card image", `document.querySelector('.pdp img')?.naturalWidth > 0`)
		// The console opts in to client hints and the card's slot is 160 CSS
		// px at DPR 1: the origin sends 160 px, not the card preset's 480.
		if w := eval[int](t, ctx, `document.querySelector('.pdp img').naturalWidth`); w != 160 {
			t.Errorf("product card image %d px wide, want 160 (sized from Sec-CH-Width)", w)
		}

		// A click on the map places the buyer: a point in Poland, on the
		// map zoomed to the European warehouses.
		step(t, ctx, "zoom to Europe", chromedp.Click(chromedp.CSS(`.zoom button[data-view="EU"]`)))
		xy := eval[[]float64](t, ctx, `(() => { const p = [...document.querySelectorAll('#world-map path.land')].find(p => p.textContent === 'Poland').getBoundingClientRect();
			return [p.x + p.width / 2, p.y + p.height / 2]; })()`)
		step(t, ctx, "click Poland", chromedp.MouseClickXY(xy[0], xy[1]))
		waitFor(t, ctx, "the country from the map", `document.querySelector('#route-country').value === 'PL'`)
		step(t, ctx, "simulate Poland", chromedp.Click(chromedp.ID("route-go")))
		waitFor(t, ctx, "the Polish badge", `document.querySelector('#badge')?.textContent.startsWith('Wysyłka')`)
		screenshot(t, ctx, "console-routing.png")
	}) {
		return
	}

	if !t.Run("rules", func(t *testing.T) {
		_, before := admin(t, h, http.MethodGet, "/admin/rules/active", "")
		step(t, ctx, "open the rules", chromedp.Click(chromedp.ID("tab-rules")))
		waitFor(t, ctx, "the active rules", `document.querySelector('#rules-text')?.value.includes('version:')`)
		// An edit naming a hub the catalog does not have.
		step(t, ctx, "break the rules", chromedp.Evaluate[chromedp.Void](`(() => { const t = document.querySelector('#rules-text');
			t.value = t.value + '\n  - kind: exclude\n    hub: atlantis\n    reason: "typo"\n';
			t.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		step(t, ctx, "check", chromedp.Click(chromedp.ID("rules-check")), chromedp.WaitVisible(chromedp.ID("rules-error")))
		msg := eval[string](t, ctx, `document.querySelector('#rules-error').textContent`)
		if !strings.Contains(msg, "nothing was activated") || !strings.Contains(msg, "atlantis") || !strings.Contains(msg, "line ") {
			t.Errorf("the error shown is %q, want the problem with its line and that nothing was activated", msg)
		}
		if !eval[bool](t, ctx, `document.querySelector('#rules-activate').disabled`) {
			t.Error("Activate is enabled for rules that failed the check")
		}
		_, after := admin(t, h, http.MethodGet, "/admin/rules/active", "")
		if string(before) != string(after) {
			t.Errorf("rules/active changed:\nbefore %s\nafter  %s", before, after)
		}
		var active struct{ Serving, YAML string }
		if err := json.Unmarshal(after, &active); err != nil || active.Serving != "demo-2026-03.1" || !strings.Contains(active.YAML, "demo-2026-03.1") {
			t.Errorf("after the failed edit the server runs %q (%v)", active.Serving, err)
		}
		if _, v := admin(t, h, http.MethodGet, "/admin/rules/versions", ""); !strings.Contains(string(v), `"versions":[]`) {
			t.Errorf("a version was stored: %s", v)
		}

		// A valid edit: a dry run lists the reference orders it changes,
		// still without activating anything.
		step(t, ctx, "undo", chromedp.Click(chromedp.ID("rules-revert")))
		step(t, ctx, "switch Warsaw off", chromedp.Evaluate[chromedp.Void](`(() => { const t = document.querySelector('#rules-text');
			t.value = t.value.replace('demo-2026-03.1', 'waw-stock-count') + '\n  - kind: exclude\n    hub: eu-waw\n    reason: "stock count"\n';
			t.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		step(t, ctx, "dry run", chromedp.Click(chromedp.ID("rules-check")), chromedp.WaitVisible(chromedp.ID("rules-dryrun")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#rules-dryrun tr.changed').length`); n == 0 {
			t.Error("switching the Warsaw hub off changes no reference order in the dry run")
		}
		if eval[bool](t, ctx, `document.querySelector('#rules-activate').disabled`) {
			t.Error("Activate stays disabled after a passing check")
		}
		if _, v := admin(t, h, http.MethodGet, "/admin/rules/active", ""); string(v) != string(before) {
			t.Error("the dry run activated the rules")
		}
		screenshot(t, ctx, "console-rules.png")

		// Activate it, then roll back to the archived demo rules (version 1).
		serving := func() string {
			_, b := admin(t, h, http.MethodGet, "/admin/rules/active", "")
			var a struct{ Serving string }
			if err := json.Unmarshal(b, &a); err != nil {
				t.Fatal(err)
			}
			return a.Serving
		}
		step(t, ctx, "activate", chromedp.Click(chromedp.ID("rules-activate")), chromedp.WaitVisible(chromedp.ID("rules-done")))
		if got := serving(); got != "waw-stock-count" {
			t.Fatalf("after Activate the server runs %q", got)
		}
		waitFor(t, ctx, "the versions list", `document.querySelectorAll('#rules-versions tbody tr').length === 2`)
		step(t, ctx, "roll back",
			chromedp.Click(chromedp.CSS(`#rules-versions tr[data-n="1"] button.small`)),
			chromedp.Click(chromedp.CSS(`#rules-versions tr[data-n="1"] button.danger`)),
		)
		waitFor(t, ctx, "the rollback", `document.querySelector('#rules-done')?.textContent.includes('Rolled back')`)
		if got := serving(); got != "demo-2026-03.1" {
			t.Errorf("after the rollback the server runs %q", got)
		}
	}) {
		return
	}

	t.Run("cache", func(t *testing.T) {
		step(t, ctx, "open cache and stock", chromedp.Click(chromedp.ID("tab-cache")))
		waitFor(t, ctx, "the busiest variants", `document.querySelectorAll('#cache-top tbody tr').length > 1`)
		if txt := eval[string](t, ctx, `document.querySelector('#cache-top').textContent`); !strings.Contains(txt, "amber-oud-50ml") {
			t.Errorf("the most requested images do not list the SKU just viewed: %q", txt)
		}
		if txt := eval[string](t, ctx, `document.querySelector('#cache-tiers [data-tier=l1]').textContent`); !strings.Contains(txt, "hit ratio") {
			t.Errorf("memory tier tile: %q", txt)
		}
		ages := eval[[]string](t, ctx, `[...document.querySelectorAll('#stock [data-role=age]')].map(e => e.textContent)`)
		if len(ages) != 3 || !strings.HasPrefix(ages[0], "counted ") {
			t.Errorf("inventory ages shown: %q", ages)
		}

		// Switch the US hub off for a while through the form, then clear a
		// SKU's cached images.
		step(t, ctx, "add an override",
			chromedp.SetValue(chromedp.CSS(`#override-form select[name=hub]`), "us-east"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#override-form select[name=hub]').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.SendKeys(chromedp.CSS(`#override-form input[name=reason]`), "carrier strike"),
			chromedp.Click(chromedp.CSS(`#override-form button[type=submit]`)),
		)
		waitFor(t, ctx, "the override listed", `document.querySelector('#overrides').textContent.includes('carrier strike')`)
		if _, o := admin(t, h, http.MethodGet, "/admin/overrides", ""); !strings.Contains(string(o), `"hub":"us-east"`) || !strings.Contains(string(o), `"disabled":true`) {
			t.Errorf("the server holds %s, want us-east switched off", o)
		}
		screenshot(t, ctx, "console-cache.png")
		step(t, ctx, "purge", chromedp.Click(chromedp.ID("purge")), chromedp.Click(chromedp.ID("purge-confirm")))
		waitFor(t, ctx, "the purge report", `document.querySelector('#purge-result')?.textContent.includes('sku-amber-oud-50ml')`)
		if got := eval[string](t, ctx, `document.querySelector('#purge-result').textContent`); !strings.Contains(got, "Removed ") {
			t.Errorf("purge report %q", got)
		}
	})
	t.Logf("browser test took %s", time.Since(began).Round(time.Millisecond))
}
