package admin_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/variant"
)

func TestColourReportAndPurge(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.DeltaEThreshold = 0.01 // every measured swatch is "over"
	}})
	h.Get(t, "/img/amber-oud-50ml/front/card.jpg?hub=eu-waw")
	h.Get(t, "/img/label-mug/front/card.jpg") // no swatch: never listed
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/reports/colour", "")
	var report struct {
		Count    int
		Variants []variant.ColourIssue
	}
	if err := json.Unmarshal(body, &report); err != nil || resp.StatusCode != 200 {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	if report.Count != 1 || report.Variants[0].SKU != "amber-oud-50ml" || report.Variants[0].Hub != "eu-waw" || report.Variants[0].DeltaE <= 0 {
		t.Fatalf("report %+v", report)
	}

	h.Cache.Wait() // let the L2 back-fill land
	resp, body = h.AdminDo(t, http.MethodPost, "/admin/purge", `{"sku":"amber-oud-50ml"}`)
	var purged struct{ Removed map[string]int }
	if err := json.Unmarshal(body, &purged); err != nil || resp.StatusCode != 200 {
		t.Fatalf("purge: %d %s", resp.StatusCode, body)
	}
	if purged.Removed["l1"] != 1 || purged.Removed["l2"] != 1 {
		t.Fatalf("purge removed %v, want one variant from each tier", purged.Removed)
	}
	again, _ := h.Get(t, "/img/amber-oud-50ml/front/card.jpg?hub=eu-waw")
	if again.Header.Get("Server-Timing")[:16] != "tier;desc=render" {
		t.Errorf("after purge: %s, want a fresh render", again.Header.Get("Server-Timing"))
	}
	if resp, _ := h.AdminDo(t, http.MethodPost, "/admin/purge", `{"sku":"../etc"}`); resp.StatusCode != 400 {
		t.Errorf("purge of a bad SKU id: %d", resp.StatusCode)
	}
	if resp, _ := h.AdminDo(t, http.MethodPost, "/admin/purge", `{"sku":"x","extra":1}`); resp.StatusCode != 400 {
		t.Errorf("purge with an unknown field: %d", resp.StatusCode)
	}
}
