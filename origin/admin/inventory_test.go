package admin_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

func snapshotJSON(seq int64, asOf time.Time, items string) string {
	return fmt.Sprintf(`{"seq": %d, "as_of": %q, "items": {%s}}`, seq, asOf.UTC().Format(time.RFC3339), items)
}

func decodeStored(t *testing.T, resp origintest.Response, body []byte) routing.Stored {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
	}
	var st routing.Stored
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if st.ETag == "" || resp.Header.Get("ETag") != st.ETag {
		t.Errorf("ETag header %q, body %q", resp.Header.Get("ETag"), st.ETag)
	}
	return st
}

// PUT and PATCH /admin/inventory/{hub}: stored, applied at once, and a seq
// at or below the held one is 409 stale_seq naming it.
func TestInventoryAdminHTTP(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	asOf := origintest.RouteNow.Add(-time.Second)
	if a := routePL(t, h); a.Node.ID != "eu-waw" {
		t.Fatalf("demo: PL from %s", a.Node.ID)
	}
	resp, body := h.AdminRequest(t, http.MethodPut, "/admin/inventory/eu-waw", "application/json", snapshotJSON(5, asOf, `"amber-oud-50ml": 1, "label-tee": 9`))
	st := decodeStored(t, resp, body)
	if st.Key != "inventory/eu-waw.json" || st.Snapshot.Seq != 5 || st.Snapshot.Items["amber-oud-50ml"] != 1 {
		t.Errorf("stored %+v", st)
	}
	if snap, err := routing.ParseSnapshot([]byte(origintest.StoreData(t, h.Store, st.Key))); err != nil || snap.Seq != 5 {
		t.Errorf("the store holds %+v %v", snap, err)
	}
	if a := routePL(t, h); a.Node.ID != "central" {
		t.Errorf("1 unit left in Warsaw: PL from %s, want central at once", a.Node.ID)
	}

	// Stale and duplicate seqs, as PUT and as PATCH, change nothing.
	for _, tc := range []struct {
		method    string
		body      string
		duplicate bool
	}{
		{http.MethodPut, snapshotJSON(5, asOf, `"amber-oud-50ml": 40`), true},
		{http.MethodPut, snapshotJSON(3, asOf, `"amber-oud-50ml": 40`), false},
		{http.MethodPatch, `{"seq": 4, "items": {"amber-oud-50ml": 40}}`, false},
		{http.MethodPatch, `{"seq": 5, "items": {"amber-oud-50ml": 40}}`, true},
	} {
		resp, body := h.AdminRequest(t, tc.method, "/admin/inventory/eu-waw", "application/json", tc.body)
		p := origintest.DecodeProblem(t, resp, body)
		var ext struct {
			HeldSeq   int64 `json:"held_seq"`
			Duplicate bool  `json:"duplicate"`
		}
		_ = json.Unmarshal(body, &ext)
		if resp.StatusCode != http.StatusConflict || p.Code != "stale_seq" || ext.HeldSeq != 5 || ext.Duplicate != tc.duplicate || !strings.Contains(p.Detail, "5") {
			t.Errorf("%s %s: %d %s", tc.method, tc.body, resp.StatusCode, body)
		}
	}
	if a := routePL(t, h); a.Node.ID != "central" {
		t.Errorf("after refused writes: PL from %s", a.Node.ID)
	}

	// A patch adds deltas to the held snapshot, never below 0.
	resp, body = h.AdminRequest(t, http.MethodPatch, "/admin/inventory/eu-waw", "application/json", `{"seq": 6, "items": {"amber-oud-50ml": 4, "label-tee": -20}}`)
	st = decodeStored(t, resp, body)
	if st.Snapshot.Seq != 6 || st.Snapshot.Items["amber-oud-50ml"] != 5 || st.Snapshot.Items["label-tee"] != 0 || !st.Snapshot.AsOf.Equal(origintest.RouteNow) {
		t.Errorf("patched %+v", st.Snapshot)
	}
	if a := routePL(t, h); a.Node.ID != "eu-waw" {
		t.Errorf("5 units in Warsaw: PL from %s", a.Node.ID)
	}
	resp, body = h.AdminRequest(t, http.MethodGet, "/admin/inventory/eu-waw", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"age_s":0`) {
		t.Errorf("GET inventory: %d %s", resp.StatusCode, body)
	}

	// Validation.
	for _, tc := range []struct {
		method, path, ctype, body string
		status                    int
		code, field               string
	}{
		{http.MethodPut, "/admin/inventory/eu-wow", "application/json", snapshotJSON(9, asOf, ""), 404, "unknown_hub", "hub"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", snapshotJSON(9, asOf, `"amber-oud-50ml": -1`), 400, "invalid_inventory", "items.amber-oud-50ml"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", snapshotJSON(9, asOf, `"no-such-sku": 1`), 400, "unknown_sku", "items.no-such-sku"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", `{"seq": 9, "items": {}}`, 400, "invalid_inventory", "as_of"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", `{"as_of": "2026-03-25T09:00:00Z", "items": {}}`, 400, "invalid_inventory", "seq"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", `{"seq": 9, "as_of": "2026-03-25T09:00:00Z"}`, 400, "invalid_inventory", "items"},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", `{"seq": 9,`, 400, "invalid_json", ""},
		{http.MethodPut, "/admin/inventory/eu-waw", "application/json", `{"seq": 9, "stock": {}}`, 400, "invalid_json", ""},
		{http.MethodPatch, "/admin/inventory/eu-waw", "application/json", `{"seq": 9, "items": {"nope": -1}}`, 400, "unknown_sku", "items.nope"},
		{http.MethodPost, "/admin/reconcile/eu-waw", "application/json", `{"items": {"amber-oud-50ml": -2}}`, 400, "invalid_inventory", "items.amber-oud-50ml"},
	} {
		resp, body := h.AdminRequest(t, tc.method, tc.path, tc.ctype, tc.body)
		p := origintest.DecodeProblem(t, resp, body)
		if resp.StatusCode != tc.status || p.Code != tc.code || p.Field != tc.field {
			t.Errorf("%s %s %s: %d %s, want %d %s field %q", tc.method, tc.path, tc.body, resp.StatusCode, body, tc.status, tc.code, tc.field)
		}
	}
	if resp, _ := h.Do(t, http.MethodPut, "/admin/inventory/eu-waw", snapshotJSON(9, asOf, ""), "Content-Type", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d", resp.StatusCode)
	}

	// Reconcile compares and changes nothing.
	resp, body = h.AdminRequest(t, http.MethodPost, "/admin/reconcile/eu-waw", "application/json", `{"items": {"amber-oud-50ml": 2, "label-tee": 0}}`)
	var rec routing.Reconciliation
	if err := json.Unmarshal(body, &rec); err != nil || resp.StatusCode != 200 {
		t.Fatalf("reconcile: %d %s", resp.StatusCode, body)
	}
	if rec.Seq != 6 || fmt.Sprint(rec.Differences) != "[{amber-oud-50ml 5 2 -3}]" || rec.Matching != 1 {
		t.Errorf("reconcile: %+v", rec)
	}
	if snap, _ := h.Rules.Inventory().Snapshot("eu-waw"); snap.Seq != 6 || snap.Items["amber-oud-50ml"] != 5 {
		t.Errorf("reconcile changed the snapshot: %+v", snap)
	}
}

type overrideList struct {
	Overrides []routing.Override `json:"overrides"`
}

func listOverrides(t *testing.T, h *origintest.Harness) []routing.Override {
	t.Helper()
	resp, body := h.AdminRequest(t, http.MethodGet, "/admin/overrides", "", "")
	var l overrideList
	if err := json.Unmarshal(body, &l); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	return l.Overrides
}

// POST/GET/DELETE /admin/overrides: stored in overrides.json, applied at
// once, listed with who and why.
func TestOverridesHTTP(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	expires := origintest.RouteNow.Add(time.Hour).Format(time.RFC3339)
	resp, body := h.AdminRequest(t, http.MethodPost, "/admin/overrides", "application/json",
		`{"hub": "eu-waw", "disabled": true, "reason": "counts wrong since 09:00", "expires_at": "`+expires+`"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("post: %d %s", resp.StatusCode, body)
	}
	var o routing.Override
	_ = json.Unmarshal(body, &o)
	if o.ID == "" || o.Operator != "token#1" || !o.CreatedAt.Equal(origintest.RouteNow) {
		t.Errorf("override %+v", o)
	}
	a := routePL(t, h)
	if r, _ := origintest.ReasonOf(a.Alternatives, "eu-waw"); a.Node.ID != "central" || r != routing.ReasonOverride {
		t.Errorf("hub disabled: PL from %s, eu-waw %s", a.Node.ID, r)
	}
	if !strings.Contains(origintest.StoreData(t, h.Store, routing.OverridesKey), o.ID) {
		t.Error("overrides.json lacks the override")
	}
	// A qty override by a named operator.
	resp, body = h.Do(t, http.MethodPost, "/admin/overrides",
		`{"hub": "us-east", "sku": "label-tee", "qty": 0, "reason": "recount", "expires_at": "`+expires+`"}`,
		"Authorization", "Bearer "+origintest.AdminToken, "Content-Type", "application/json", "X-Operator", "ola@shop")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("post qty: %d %s", resp.StatusCode, body)
	}
	l := listOverrides(t, h)
	if len(l) != 2 || l[1].Operator != "ola@shop" || l[0].Reason != "counts wrong since 09:00" {
		t.Errorf("list %+v", l)
	}
	// Validation.
	for _, tc := range []struct {
		body        string
		status      int
		code, field string
	}{
		{`{"hub": "eu-wow", "disabled": true, "reason": "r", "expires_at": "` + expires + `"}`, 404, "unknown_hub", "hub"},
		{`{"hub": "eu-waw", "sku": "nope", "disabled": true, "reason": "r", "expires_at": "` + expires + `"}`, 400, "unknown_sku", "sku"},
		{`{"hub": "eu-waw", "disabled": true, "reason": "r"}`, 400, "invalid_override", "expires_at"},
		{`{"hub": "eu-waw", "disabled": true, "reason": "r", "expires_at": "2026-03-25T08:00:00Z"}`, 400, "invalid_override", "expires_at"},
		{`{"hub": "eu-waw", "disabled": true, "expires_at": "` + expires + `"}`, 400, "invalid_override", "reason"},
		{`{"hub": "eu-waw", "sku": "label-tee", "qty": -1, "reason": "r", "expires_at": "` + expires + `"}`, 400, "invalid_override", "qty"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPost, "/admin/overrides", "application/json", tc.body)
		p := origintest.DecodeProblem(t, resp, body)
		if resp.StatusCode != tc.status || p.Code != tc.code || p.Field != tc.field {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	// Remove it: Warsaw ships again.
	resp, body = h.AdminRequest(t, http.MethodDelete, "/admin/overrides/"+o.ID, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	if a := routePL(t, h); a.Node.ID != "eu-waw" {
		t.Errorf("override removed: PL from %s", a.Node.ID)
	}
	resp, body = h.AdminRequest(t, http.MethodDelete, "/admin/overrides/"+o.ID, "", "")
	if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != 404 || p.Code != "unknown_override" {
		t.Errorf("delete twice: %d %s", resp.StatusCode, body)
	}
	if l := listOverrides(t, h); len(l) != 1 {
		t.Errorf("after delete: %+v", l)
	}
}

// Two replicas over one S3 prefix with the default poll: a snapshot PUT on
// replica A changes replica B's decisions, and so does an override.
func TestInventoryTwoReplicasS3(t *testing.T) {
	defaults, err := config.Load(nil, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	poll := defaults.Origin.RoutingPoll
	srv := s3test.Start(t)
	blob := srv.Store(t, "shop/")
	origintest.UploadDemo(t, blob)
	origintest.FreshInventory(t, blob, time.Now().Add(-time.Second))
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	configure := func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.RoutingPoll = poll
	}
	a := origintest.Start(t, origintest.Options{Store: blob, Configure: configure})
	b := origintest.Start(t, origintest.Options{Store: blob, Configure: configure})
	if got := routePL(t, b); got.Node.ID != "eu-waw" {
		t.Fatalf("replica B before: PL from %s", got.Node.ID)
	}

	start := time.Now()
	resp, body := a.AdminRequest(t, http.MethodPut, "/admin/inventory/eu-waw", "application/json",
		snapshotJSON(2, time.Now(), `"amber-oud-50ml": 1`))
	decodeStored(t, resp, body)
	if got := routePL(t, a); got.Node.ID != "central" {
		t.Errorf("replica A right after its PUT: PL from %s", got.Node.ID)
	}
	origintest.WaitFor(t, 5*time.Second, "replica B routes around Warsaw", func() bool { return routePL(t, b).Node.ID == "central" })
	took := time.Since(start)
	t.Logf("inventory PUT on replica A reached replica B's decisions in %s (poll %s)", took.Round(time.Millisecond), poll)

	// The fix: a corrected snapshot on B, and an override on A that B obeys.
	resp, body = b.AdminRequest(t, http.MethodPut, "/admin/inventory/eu-waw", "application/json",
		snapshotJSON(3, time.Now(), `"amber-oud-50ml": 30`))
	decodeStored(t, resp, body)
	start = time.Now()
	resp, body = a.AdminRequest(t, http.MethodPost, "/admin/overrides", "application/json",
		`{"hub": "eu-waw", "disabled": true, "reason": "recount", "expires_at": "`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("override on A: %d %s", resp.StatusCode, body)
	}
	origintest.WaitFor(t, 5*time.Second, "replica B obeys A's override", func() bool {
		got := routePL(t, b)
		r, _ := origintest.ReasonOf(got.Alternatives, "eu-waw")
		return got.Node.ID == "central" && r == routing.ReasonOverride
	})
	t.Logf("override POST on replica A reached replica B's decisions in %s", time.Since(start).Round(time.Millisecond))
	// A (which never polled B's seq 3 yet, maybe) refuses a late seq 2.
	resp, body = a.AdminRequest(t, http.MethodPut, "/admin/inventory/eu-waw", "application/json", snapshotJSON(2, time.Now(), `"amber-oud-50ml": 1`))
	if p := origintest.DecodeProblem(t, resp, body); resp.StatusCode != http.StatusConflict || p.Code != "stale_seq" {
		t.Errorf("late seq on A: %d %s", resp.StatusCode, body)
	}
}
