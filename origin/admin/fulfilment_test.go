package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/routing/expansion/expansiontest"
)

// carrierList is the "carriers" list of a /route answer as JSON shows it.
func carrierList(t *testing.T, body []byte) string {
	t.Helper()
	var raw struct {
		Carriers []struct{ ID, State, Breaker string } `json:"carriers"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range raw.Carriers {
		parts = append(parts, c.ID+":"+c.State+":"+c.Breaker)
	}
	return strings.Join(parts, " ")
}

func TestCarrierReportsMoveTraffic(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	const path = "/route?sku=amber-oud-50ml&country=PL&locale=pl-PL"
	resp, body := h.Get(t, path)
	if got, want := carrierList(t, body), "inpost:primary:closed dhl-eu:fallback:closed"; resp.StatusCode != 200 || got != want {
		t.Fatalf("carriers = %s, want %s", got, want)
	}
	report := func(id, body string) (int, []byte) {
		resp, b := h.AdminRequest(t, http.MethodPost, "/admin/carriers/"+id+"/report", "application/json", body)
		return resp.StatusCode, b
	}
	for i := range h.Config.Carriers.Failures {
		status, b := report("inpost", `{"outcome":"failure","detail":"failed pickup"}`)
		var st carrierhealth.Status
		if err := json.Unmarshal(b, &st); status != 200 || err != nil {
			t.Fatalf("report: %d %s", status, b)
		}
		if want := map[bool]string{true: "open", false: "closed"}[i == h.Config.Carriers.Failures-1]; st.Breaker != want {
			t.Errorf("after %d failures the breaker is %s, want %s", i+1, st.Breaker, want)
		}
	}
	_, body = h.Get(t, path)
	if got, want := carrierList(t, body), "dhl-eu:primary:closed inpost:unavailable:open"; got != want {
		t.Fatalf("after reports carriers = %s, want %s", got, want)
	}
	resp, body = h.AdminRequest(t, http.MethodGet, "/admin/carriers", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"inpost","name":"InPost","breaker":"open"`) {
		t.Errorf("GET /admin/carriers: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		id, body string
		status   int
		code     string
	}{
		{"pigeon", `{"outcome":"failure"}`, 404, "unknown_carrier"},
		{"inpost", `{"outcome":"meh"}`, 400, "invalid_report"},
		{"inpost", `{"outcome":"failure","detail":"` + strings.Repeat("x", 501) + `"}`, 400, "invalid_report"},
	} {
		status, b := report(tc.id, tc.body)
		if status != tc.status || !strings.Contains(string(b), `"code":"`+tc.code+`"`) {
			t.Errorf("%s %s: %d %s, want %d %s", tc.id, tc.body[:min(len(tc.body), 40)], status, b, tc.status, tc.code)
		}
	}
	resp, _ = h.Do(t, http.MethodPost, "/admin/carriers/inpost/report", `{"outcome":"success"}`, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("report without a token: %d, want 401", resp.StatusCode)
	}
}

func TestDecisionLogDeliveriesAndExpansionReport(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	ctx := context.Background()
	var ids []string
	for range 3 {
		resp, body := h.Do(t, http.MethodPost, "/route", `{"lines":[{"sku":"amber-oud-50ml","qty":1}],"destination":{"country":"DE"}}`, "Content-Type", "application/json")
		a := origintest.DecodeRoute(t, resp, body)
		ids = append(ids, a.DecisionID)
	}
	routePL(t, h) // a product page's lookup
	if err := h.Decisions.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _, err := decisionlog.ReadDecisions(ctx, h.Store, origintest.RouteNow, origintest.RouteNow)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for _, r := range recs {
		sources[r.Source]++
		if r.Source == decisionlog.SourceOrder && (r.Region != "EU" || r.Node != "eu-waw" || r.Carrier != "inpost" || r.PromiseMaxHours == 0) {
			t.Errorf("logged %+v", r)
		}
	}
	if sources[decisionlog.SourceOrder] != 3 || sources[decisionlog.SourcePage] != 1 {
		t.Fatalf("logged sources %v, want 3 orders and 1 page", sources)
	}

	// Deliveries: stored before 201; bad ones name the field.
	resp, body := h.AdminRequest(t, http.MethodPost, "/admin/deliveries", "application/json",
		`[{"decision_id":"`+ids[0]+`","delivered_at":"2026-03-26T10:00:00Z","cost":6.4},{"decision_id":"`+ids[1]+`","delivered_at":"2026-03-27T10:00:00Z","cost":7}]`)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"stored":2`) {
		t.Fatalf("POST /admin/deliveries: %d %s", resp.StatusCode, body)
	}
	ds, _, err := decisionlog.ReadDeliveries(ctx, h.Store, time.Now(), time.Now())
	if err != nil || len(ds) != 2 || ds[0].DecisionID != ids[0] {
		t.Fatalf("stored deliveries %+v %v", ds, err)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"delivered_at":"2026-03-26T10:00:00Z","cost":1}`, "[0].decision_id"},
		{`{"decision_id":"x","cost":1}`, "[0].delivered_at"},
		{`{"decision_id":"x","delivered_at":"2126-03-26T10:00:00Z","cost":1}`, "[0].delivered_at"},
		{`[{"decision_id":"x","delivered_at":"2026-03-26T10:00:00Z","cost":1},{"decision_id":"y","delivered_at":"2026-03-26T10:00:00Z","cost":-1}]`, "[1].cost"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPost, "/admin/deliveries", "application/json", tc.body)
		p := origintest.DecodeProblem(t, resp, body)
		if resp.StatusCode != 400 || p.Code != "invalid_delivery" || p.Field != tc.field {
			t.Errorf("%s: %d %+v, want 400 invalid_delivery on %s", tc.body, resp.StatusCode, p, tc.field)
		}
	}

	// A 12-week generated history: APAC is flagged, the GB spike is not.
	now := time.Now()
	hist, hds := expansiontest.History(now, 12, expansiontest.TwelveWeeks(), 11)
	for _, r := range hist {
		h.Decisions.Append(r)
	}
	if err := h.Decisions.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := decisionlog.PutDeliveries(ctx, h.Store, hds, now); err != nil {
		t.Fatal(err)
	}
	resp, body = h.AdminRequest(t, http.MethodGet, "/admin/reports/expansion?weeks=12", "", "")
	var rep expansion.Report
	if err := json.Unmarshal(body, &rep); resp.StatusCode != 200 || err != nil {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	flagged := map[string]bool{}
	for _, r := range rep.Regions {
		flagged[r.Region] = r.Flagged
	}
	if !flagged["APAC"] || flagged["GB"] || flagged["EU"] || len(rep.Weeks) != 12 {
		t.Errorf("flagged %v over %d weeks, want APAC only", flagged, len(rep.Weeks))
	}
	resp, body = h.Do(t, http.MethodGet, "/admin/reports/expansion?weeks=12", "", "Authorization", "Bearer "+origintest.AdminToken, "Accept", "text/plain")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "FLAG APAC slow_and_large") || strings.Contains(string(body), "FLAG GB") {
		t.Errorf("text report: %d\n%s", resp.StatusCode, body)
	}
	resp, body = h.AdminRequest(t, http.MethodGet, "/admin/reports/expansion?weeks=0", "", "")
	if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != 400 || p.Field != "weeks" {
		t.Errorf("weeks=0: %d %+v", resp.StatusCode, p)
	}
}
