package console_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// The stocking panel on a store holding a year of generated orders,
// imported as a Shopify export through the admin API: the plan rows and
// the forecast band the page shows are the report's.
func TestStockingPanelInBrowser(t *testing.T) {
	ctx := browser(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte(adminToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Routing.StaleAfter = time.Hour
		c.Routing.SkipAfter = 2 * time.Hour
	}})
	hist := stockingtest.Generate(1, 52)
	orderimport.ShiftToEnd(hist.Lines, hist.Now, demand.WeekStart(time.Now()))
	var csv strings.Builder
	if err := orderimport.WriteCSV(&csv, hist.Lines); err != nil {
		t.Fatal(err)
	}
	resp, body := h.Do(t, http.MethodPost, "/admin/orders/import", csv.String(), "Authorization", "Bearer "+adminToken, "Content-Type", "text/csv")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d %.300s", resp.StatusCode, body)
	}
	status, body := admin(t, h, http.MethodGet, "/admin/reports/stocking", "")
	var rep struct {
		Stocking struct {
			Series []struct {
				Region, SKU string
				Forecast    []struct{ Lo, Hi float64 }
			}
			Plans []struct {
				Hub   string
				Items []struct{ SKU string }
			}
		}
	}
	if err := json.Unmarshal(body, &rep); status != http.StatusOK || err != nil || len(rep.Stocking.Plans) == 0 {
		t.Fatalf("report: %d %v %.300s", status, err, body)
	}
	var wantRows []string
	for _, p := range rep.Stocking.Plans {
		for _, it := range p.Items {
			wantRows = append(wantRows, p.Hub+"/"+it.SKU)
		}
	}

	step(t, ctx, "open the stocking panel signed in",
		chromedp.Navigate(h.URL+"/console"),
		chromedp.WaitVisible(chromedp.ID("token")),
		// Signed in as the login form would leave it; a reload on the
		// panel's hash opens it (a hash-only Navigate never "loads").
		chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem('edgeshelf.admin-token', '`+adminToken+`'); location.hash = 'stocking'; location.reload()`),
		chromedp.WaitVisible(chromedp.ID("tab-stocking")),
	)
	waitFor(t, ctx, "the plan table", `document.querySelectorAll('[data-testid=plan-row]').length > 0`)
	got := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=plan-row]')].map(r => r.dataset.hub + '/' + r.dataset.sku)`)
	if strings.Join(got, " ") != strings.Join(wantRows, " ") {
		t.Errorf("plan rows %v, want the report's %v", got, wantRows)
	}
	// The band: a closed shaded path over the forecast weeks, for the
	// first series the report lists.
	first := rep.Stocking.Series[0]
	if sel := eval[string](t, ctx, `document.querySelector('#stocking-series').value`); sel != first.Region+"/"+first.SKU {
		t.Errorf("the chart shows %q, want the first series %s/%s", sel, first.Region, first.SKU)
	}
	band := eval[string](t, ctx, `document.querySelector('[data-testid=forecast-band] path[data-role=band]').getAttribute('d')`)
	if n := strings.Count(band, "L") + strings.Count(band, "M"); n != 2*len(first.Forecast) || !strings.HasSuffix(band, "Z") {
		t.Errorf("band path has %d points (want %d, two per forecast week): %s", n, 2*len(first.Forecast), band)
	}
	if rows := eval[int](t, ctx, `document.querySelectorAll('[data-testid=rate-row]').length`); rows < 2 {
		t.Errorf("%d rate rows, want the imported hub and the regions", rows)
	}
	screenshot(t, ctx, "console-stocking.png")
}
