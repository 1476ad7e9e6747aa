package fulfilment_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
)

func TestReturnsRouteHTTP(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	for _, tc := range []struct {
		body, node, carrier string
		status              int
		code, field         string
	}{
		{body: `{"sku":"amber-oud-50ml","from":{"country":"PL"},"reason":"damaged"}`, status: 200, node: "eu-waw", carrier: "inpost"},
		{body: `{"sku":"amber-oud-50ml","from":{"country":"JP"}}`, status: 200, node: "central", carrier: "dhl-express"},
		{body: `{"sku":"amber-oud-50ml","from":{"country":"Japan"}}`, status: 400, code: "invalid_order", field: "from.country"},
		{body: `{"sku":"nope","from":{"country":"PL"}}`, status: 404, code: "unknown_sku", field: "sku"},
		{body: `{"sku":"amber-oud-50ml","from":{"country":"PL"},"extra":1}`, status: 400, code: "invalid_json"},
		{body: `{"sku":`, status: 400, code: "invalid_json"},
	} {
		resp, body := h.Do(t, http.MethodPost, "/returns/route", tc.body, "Content-Type", "application/json")
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.body, resp.StatusCode, tc.status, body)
			continue
		}
		if tc.status != 200 {
			p := origintest.DecodeProblem(t, resp, body)
			if p.Code != tc.code || (tc.field != "" && p.Field != tc.field) {
				t.Errorf("%s: problem %+v, want %s on %q", tc.body, p, tc.code, tc.field)
			}
			continue
		}
		var rr routing.ReturnRoute
		if err := json.Unmarshal(body, &rr); err != nil {
			t.Fatal(err)
		}
		if rr.Node.ID != tc.node || rr.Carrier == nil || rr.Carrier.ID != tc.carrier || !rr.Restock {
			t.Errorf("%s: %s", tc.body, body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
	}
}
