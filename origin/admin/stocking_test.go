package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

func importCSV(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(origintest.RepoRoot(), "stocking", "orderimport", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func storedImports(t *testing.T, h *origintest.Harness) int {
	t.Helper()
	infos, err := h.Store.List(context.Background(), orderimport.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}

func TestImportOrdersAllOrNothing(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	resp, body := h.AdminRequest(t, http.MethodPost, "/admin/orders/import", "text/csv", importCSV(t, "bad_rows.csv"))
	p := origintest.DecodeProblem(t, resp, body)
	var rows struct {
		Rows []orderimport.RowError `json:"rows"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || p.Code != "invalid_orders" || len(rows.Rows) != 5 || rows.Rows[1].Line != 4 || rows.Rows[1].Column != "Created at" {
		t.Fatalf("bad file: %d %s", resp.StatusCode, body)
	}
	if n := storedImports(t, h); n != 0 {
		t.Fatalf("a refused import left %d objects", n)
	}

	resp, body = h.AdminRequest(t, http.MethodPost, "/admin/orders/import", "text/csv; charset=utf-8", importCSV(t, "shopify_export.csv"))
	var created struct {
		ID     string             `json:"id"`
		Key    string             `json:"key"`
		Counts orderimport.Counts `json:"counts"`
	}
	if err := json.Unmarshal(body, &created); resp.StatusCode != http.StatusCreated || err != nil || created.Counts.Lines != 7 || created.Counts.Cancelled != 1 {
		t.Fatalf("good file: %d %s", resp.StatusCode, body)
	}
	if got := origintest.StoreData(t, h.Store, created.Key); !strings.Contains(got, `"region":"APAC"`) {
		t.Errorf("stored import lacks the regions: %.200s", got)
	}

	for _, tc := range []struct {
		contentType, body string
		status            int
		code              string
	}{
		{"application/json", `{}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"text/csv", "Name,Created at,Lineitem sku,Lineitem quantity,Shipping Country\n#1,2026-03-02T10:00:00Z,,1,PL\n", http.StatusUnprocessableEntity, "no_orders"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPost, "/admin/orders/import", tc.contentType, tc.body)
		if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != tc.status || p.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.contentType, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	resp, _ = h.Do(t, http.MethodPost, "/admin/orders/import", importCSV(t, "shopify_export.csv"), "Content-Type", "text/csv")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("import without a token: %d, want 401", resp.StatusCode)
	}
	if n := storedImports(t, h); n != 1 {
		t.Errorf("%d imports stored, want 1", n)
	}
}

// putGeneratedHistory stores the generator's year as an import, shifted
// to end with last week.
func putGeneratedHistory(t *testing.T, h *origintest.Harness) {
	t.Helper()
	hist := stockingtest.Generate(1, 52)
	shift := demand.WeekStart(time.Now()).Sub(hist.Now)
	for i := range hist.Lines {
		hist.Lines[i].Time = hist.Lines[i].Time.Add(shift)
	}
	if _, err := orderimport.Put(context.Background(), h.Store, &orderimport.Result{Lines: hist.Lines}, "generated", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestReportStocking(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	putGeneratedHistory(t, h)
	resp, body := h.AdminRequest(t, http.MethodGet, "/admin/reports/stocking?service_level=0.9", "", "")
	var rep struct {
		Stocking struct {
			Config struct {
				ServiceLevel float64 `json:"service_level"`
			} `json:"config"`
			Series []struct {
				Forecast []struct{ Lo, Hi float64 } `json:"forecast"`
			} `json:"series"`
			Plans []struct {
				Hub   string            `json:"hub"`
				Items []json.RawMessage `json:"items"`
			} `json:"plans"`
		} `json:"stocking"`
		Delivery struct {
			ByHub []struct{ Hub string } `json:"by_hub"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal(body, &rep); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	if rep.Stocking.Config.ServiceLevel != 0.9 || len(rep.Stocking.Plans) != 2 || len(rep.Stocking.Plans[0].Items) == 0 || len(rep.Stocking.Series) == 0 {
		t.Errorf("report: %.400s", body)
	}
	if len(rep.Delivery.ByHub) != 1 || rep.Delivery.ByHub[0].Hub != "(imported)" {
		t.Errorf("delivery: %+v", rep.Delivery)
	}
	resp, body = h.Do(t, http.MethodGet, "/admin/reports/stocking", "", "Authorization", "Bearer "+origintest.AdminToken, "Accept", "text/plain")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "eu-waw") || !strings.Contains(string(body), "Delivery per hub") {
		t.Errorf("text: %d %.300s", resp.StatusCode, body)
	}
	for _, q := range []string{"weeks=3", "weeks=x", "service_level=1", "service_level=nan"} {
		resp, body := h.AdminRequest(t, http.MethodGet, "/admin/reports/stocking?"+q, "", "")
		field, _, _ := strings.Cut(q, "=")
		if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != 400 || p.Field != field {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

// A routed order's delivery and return, posted through the admin API,
// show as its hub's on-time and return rates, this week included.
func TestReturnsFeedTheRates(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	decided := time.Now().Add(-2 * time.Hour).UTC()
	rec := decisionlog.Record{DecisionID: "dec-1", DecidedAt: decided, Source: decisionlog.SourceOrder, Country: "PL", Region: "EU",
		Node: "eu-waw", PromiseMaxHours: 48, Lines: []routing.Line{{SKU: "label-mug", Qty: 1}}}
	line, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	origintest.WriteStoreFile(t, h.Store, decisionlog.DecisionsPrefix+decided.Format(time.DateOnly)+"/dec-1-test.jsonl", string(line)+"\n")
	at := decided.Add(time.Hour).Format(time.RFC3339)
	if resp, body := h.AdminRequest(t, http.MethodPost, "/admin/deliveries", "application/json", `{"decision_id":"dec-1","delivered_at":"`+at+`","cost":5}`); resp.StatusCode != 201 {
		t.Fatalf("delivery: %d %s", resp.StatusCode, body)
	}
	resp, body := h.AdminRequest(t, http.MethodPost, "/admin/returns", "application/json", `[{"decision_id":"dec-1","returned_at":"`+at+`","reason":"too small"}]`)
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"key":"returns/`) {
		t.Fatalf("return: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"returned_at":"` + at + `"}`, "[0].decision_id"},
		{`{"decision_id":"dec-1"}`, "[0].returned_at"},
		{`{"decision_id":"dec-1","returned_at":"2999-01-01T00:00:00Z"}`, "[0].returned_at"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPost, "/admin/returns", "application/json", tc.body)
		if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != 400 || p.Code != "invalid_return" || p.Field != tc.field {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	resp, body = h.AdminRequest(t, http.MethodGet, "/admin/reports/stocking", "", "")
	var rep struct {
		Delivery struct {
			ByHub []struct {
				Hub        string
				Orders     int
				OnTimeRate *float64 `json:"on_time_rate"`
				ReturnRate *float64 `json:"return_rate"`
			} `json:"by_hub"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal(body, &rep); resp.StatusCode != 200 || err != nil || len(rep.Delivery.ByHub) != 1 {
		t.Fatalf("%d %v %.400s", resp.StatusCode, err, body)
	}
	r := rep.Delivery.ByHub[0]
	if r.Hub != "eu-waw" || r.Orders != 1 || r.OnTimeRate == nil || *r.OnTimeRate != 1 || r.ReturnRate == nil || *r.ReturnRate != 1 {
		t.Errorf("eu-waw rates = %+v", r)
	}
}
