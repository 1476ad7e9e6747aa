package origin_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestRequestID: every answer carries X-Request-Id, a well-formed one from
// the client (a CDN's) is kept, anything else is replaced, and a problem
// body names the same id so support can find its log line.
func TestRequestID(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	for _, tc := range []struct {
		name, sent string
		kept       bool
	}{
		{"none sent", "", false},
		{"a CDN's id", "cf-ray-8d2f6a1b9c3e-WAW", true},
		{"too short", "abc", false},
		{"not a token", "id with spaces and {braces}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.sent != "" {
				headers = []string{"X-Request-Id", tc.sent}
			}
			resp, body := h.Get(t, "/img/no-such-sku/front/card.jpg", headers...)
			id := resp.Header.Get("X-Request-Id")
			if resp.StatusCode != http.StatusNotFound || len(id) < 8 {
				t.Fatalf("%d, X-Request-Id %q", resp.StatusCode, id)
			}
			if kept := id == tc.sent; kept != tc.kept {
				t.Errorf("sent %q, got %q: kept = %v, want %v", tc.sent, id, kept, tc.kept)
			}
			var p struct {
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal(body, &p); err != nil || p.RequestID != id {
				t.Errorf("problem body names request %q, header %q (%v)", p.RequestID, id, err)
			}
		})
	}
	resp, _ := h.Get(t, "/healthz")
	a := resp.Header.Get("X-Request-Id")
	resp, _ = h.Get(t, "/healthz")
	if b := resp.Header.Get("X-Request-Id"); a == "" || a == b {
		t.Errorf("successive requests got ids %q and %q, want two distinct ids", a, b)
	}
}
