package admin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
)

// putRules sends a rules file to PUT /admin/rules.
func putRules(t testing.TB, h *origintest.Harness, query, yaml string) (origintest.Response, []byte) {
	t.Helper()
	return h.AdminRequest(t, http.MethodPut, "/admin/rules"+query, "application/yaml", yaml)
}

func decodeChange(t testing.TB, resp origintest.Response, body []byte, status int) rulestore.RulesChange {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var ch rulestore.RulesChange
	if err := json.Unmarshal(body, &ch); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return ch
}

func versions(t testing.TB, h *origintest.Harness) rulestore.RulesVersions {
	t.Helper()
	resp, body := h.AdminRequest(t, http.MethodGet, "/admin/rules/versions", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("versions: %d %s", resp.StatusCode, body)
	}
	var v rulestore.RulesVersions
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// routePL asks where one Amber Oud to Poland ships from.
func routePL(t testing.TB, h *origintest.Harness) origintest.RouteAnswer {
	t.Helper()
	resp, body := h.Get(t, "/route?sku=amber-oud-50ml&country=PL&locale=pl-PL")
	return origintest.DecodeRoute(t, resp, body)
}

// wawDown is the demo rules with the Warsaw hub switched off.
func wawDown(t testing.TB, version string) string {
	return strings.Replace(origintest.ReadDemo(t, routing.ActiveKey), `version: "`+origintest.DemoRulesVersion+`"`, `version: "`+version+`"`, 1) +
		"  - {kind: exclude, hub: eu-waw, reason: inventory count}\n"
}

// The rules store's own behaviour (polling, the file watch, hot reloads
// under load, the demo reference) is tested in routing/rulestore; these
// tests cover the HTTP API over it.

func TestPutRulesInvalid(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	const broken = "version: broken\n" + // line 1
		"rules:\n" + // 2
		"  - kind: exclude\n" + // 3: no reason
		"    hub: eu-wow\n" + // 4: unknown hub
		"  - kind: teleport\n" + // 5: unknown kind
		"  - {kind: min_inventory, units: 0}\n" // 6: out of range
	resp, body := putRules(t, h, "", broken)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", resp.StatusCode, body)
	}
	p := origintest.DecodeProblem(t, resp, body)
	var ext struct {
		Problems []routing.Problem `json:"problems"`
	}
	if err := json.Unmarshal(body, &ext); err != nil {
		t.Fatal(err)
	}
	lines := map[int]string{}
	for _, pr := range ext.Problems {
		lines[pr.Line] = pr.Path
	}
	want := map[int]string{3: "rules[0].reason", 4: "rules[0].hub", 5: "rules[1].kind", 6: "rules[2].units"}
	if p.Code != "invalid_rules" || fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("code %s, problems by line %v, want %v", p.Code, lines, want)
	}
	for line := range want {
		if !strings.Contains(p.Detail, fmt.Sprintf("line %d: ", line)) {
			t.Errorf("detail lacks line %d: %s", line, p.Detail)
		}
	}
	// Nothing changed: the old rules serve, nothing was stored.
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion || a.Node.ID != "eu-waw" {
		t.Errorf("after a broken PUT: %s from %s", a.RulesVersion, a.Node.ID)
	}
	if got := origintest.StoreData(t, h.Store, routing.ActiveKey); got != origintest.ReadDemo(t, routing.ActiveKey) {
		t.Error("rules/active.yaml changed")
	}
	if v := versions(t, h); len(v.Versions) != 0 || v.Serving != origintest.DemoRulesVersion {
		t.Errorf("versions after a broken PUT: %+v", v)
	}
	// Not YAML, not a YAML content type, a bad flag.
	for _, tc := range []struct {
		ctype, query, body string
		status             int
		code               string
	}{
		{"application/yaml", "", "rules: [", 400, "invalid_rules"},
		{"application/yaml", "", "", 400, "invalid_rules"},
		{"application/json", "", `{"rules":[]}`, 415, "unsupported_media_type"},
		{"", "", "rules: []", 415, "unsupported_media_type"},
		{"text/yaml; charset=utf-8", "?dry_run=maybe", "rules: []", 400, "invalid_parameter"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPut, "/admin/rules"+tc.query, tc.ctype, tc.body)
		if resp.StatusCode != tc.status || origintest.DecodeProblem(t, resp, body).Code != tc.code {
			t.Errorf("PUT %q as %q: %d %s, want %d %s", tc.body, tc.ctype, resp.StatusCode, body, tc.status, tc.code)
		}
	}
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion {
		t.Errorf("rules_version %s after refused PUTs", a.RulesVersion)
	}
}

func TestPutRulesDryRunActivateRollback(t *testing.T) {
	h := origintest.StartRouting(t, nil)

	// A dry run reports and changes nothing.
	resp, body := putRules(t, h, "?dry_run=1", wawDown(t, "waw-down"))
	ch := decodeChange(t, resp, body, 200)
	if ch.Activated || !ch.DryRun || ch.N != 0 || ch.RulesVersion != "waw-down" || ch.PreviousVersion != origintest.DemoRulesVersion {
		t.Errorf("dry run: %+v", ch)
	}
	var moved []string
	for _, r := range ch.Report.Results {
		if r.Changed {
			moved = append(moved, r.Order+":"+r.Active+"->"+r.Dry)
		}
	}
	wantMoved := "pl-amber:eu-waw->central de-vetiver:eu-waw->central fr-premium:eu-waw->central gb-hoodie:eu-waw->central"
	if strings.Join(moved, " ") != wantMoved || len(ch.Unmet) != 4 {
		t.Errorf("dry run moved %v, unmet %q", moved, ch.Unmet)
	}
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion || a.Node.ID != "eu-waw" {
		t.Errorf("after a dry run: %s from %s", a.RulesVersion, a.Node.ID)
	}
	if v := versions(t, h); len(v.Versions) != 0 {
		t.Errorf("a dry run stored versions: %+v", v)
	}

	// Activate: the demo rules are archived as 1, the new ones are 2.
	resp, body = putRules(t, h, "", wawDown(t, "waw-down"))
	ch = decodeChange(t, resp, body, 200)
	if !ch.Activated || ch.N != 2 || ch.Key != "rules/versions/2.yaml" || ch.Archived != 1 || len(ch.Unmet) != 4 {
		t.Errorf("activate: %+v", ch)
	}
	if origintest.StoreData(t, h.Store, "rules/versions/1.yaml") != origintest.ReadDemo(t, routing.ActiveKey) ||
		origintest.StoreData(t, h.Store, "rules/versions/2.yaml") != wawDown(t, "waw-down") ||
		origintest.StoreData(t, h.Store, routing.ActiveKey) != wawDown(t, "waw-down") {
		t.Error("the store does not hold the archived, the new and the active rules")
	}
	a := routePL(t, h)
	if a.RulesVersion != "waw-down" || a.Node.ID != "central" {
		t.Errorf("after activation: %s from %s", a.RulesVersion, a.Node.ID)
	}
	if r, _ := origintest.ReasonOf(a.Alternatives, "eu-waw"); r != routing.ReasonExcluded {
		t.Errorf("eu-waw reason %q, want excluded", r)
	}
	v := versions(t, h)
	if v.Serving != "waw-down" || len(v.Versions) != 2 ||
		v.Versions[0].N != 1 || v.Versions[0].RulesVersion != origintest.DemoRulesVersion || v.Versions[0].Active || !v.Versions[0].Valid ||
		v.Versions[1].N != 2 || v.Versions[1].RulesVersion != "waw-down" || !v.Versions[1].Active || v.Versions[1].StoredAt.IsZero() {
		t.Errorf("versions: %+v", v)
	}
	// A second PUT needs no archive: 2 is stored.
	resp, body = putRules(t, h, "", wawDown(t, "waw-down-2"))
	ch = decodeChange(t, resp, body, 200)
	if ch.N != 3 || ch.Archived != 0 {
		t.Errorf("second activation: n %d archived %d", ch.N, ch.Archived)
	}

	// Roll back to the demo rules.
	resp, body = h.AdminRequest(t, http.MethodPost, "/admin/rules/rollback/1", "", "")
	ch = decodeChange(t, resp, body, 200)
	if !ch.Activated || ch.N != 1 || ch.RulesVersion != origintest.DemoRulesVersion || ch.PreviousVersion != "waw-down-2" || len(ch.Unmet) != 0 {
		t.Errorf("rollback: %+v", ch)
	}
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion || a.Node.ID != "eu-waw" {
		t.Errorf("after rollback: %s from %s", a.RulesVersion, a.Node.ID)
	}
	v = versions(t, h)
	if len(v.Versions) != 3 || !v.Versions[0].Active || v.Versions[1].Active || v.Versions[2].Active || v.Serving != origintest.DemoRulesVersion {
		t.Errorf("versions after rollback: %+v", v)
	}
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/admin/rules/rollback/99", 404, "unknown_rules_version"},
		{"/admin/rules/rollback/0", 400, "invalid_rules_version"},
		{"/admin/rules/rollback/x", 400, "invalid_rules_version"},
	} {
		resp, body := h.AdminRequest(t, http.MethodPost, tc.path, "", "")
		if resp.StatusCode != tc.status || origintest.DecodeProblem(t, resp, body).Code != tc.code {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion {
		t.Errorf("after refused rollbacks: %s", a.RulesVersion)
	}
}

// A version that no longer fits the catalog cannot be rolled back to.
func TestRollbackRefusesStaleVersion(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	origintest.WriteStoreFile(t, h.Store, "rules/versions/1.yaml", "version: old\nrules:\n  - {kind: exclude, hub: eu-ber, reason: closed}\n")
	resp, body := h.AdminRequest(t, http.MethodPost, "/admin/rules/rollback/1", "", "")
	if resp.StatusCode != http.StatusConflict || origintest.DecodeProblem(t, resp, body).Code != "invalid_rules" || !strings.Contains(string(body), `"line":3`) {
		t.Errorf("rollback to a version naming a removed hub: %d %s", resp.StatusCode, body)
	}
	v := versions(t, h)
	if len(v.Versions) != 1 || v.Versions[0].Valid || v.Versions[0].RulesVersion != "old" || v.Versions[0].Problem == "" {
		t.Errorf("versions: %+v", v)
	}
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion {
		t.Errorf("after a refused rollback: %s", a.RulesVersion)
	}
}
