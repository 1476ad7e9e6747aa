package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
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

// The demo inventory keeps every outcome the demo reference pins.
func TestDemoReferenceHolds(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	resp, body := putRules(t, h, "?dry_run=1", origintest.ReadDemo(t, routing.ActiveKey))
	ch := decodeChange(t, resp, body, 200)
	if ch.Activated || !ch.DryRun || ch.Report == nil || ch.Report.Orders != 10 || ch.Report.Changed != 0 || len(ch.Unmet) != 0 || ch.ReferenceError != "" {
		t.Fatalf("demo rules on the demo reference and inventory: %+v", ch)
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

var rejectedPoll = regexp.MustCompile(`(?m)^edgeshelf_routing_rules_rejected_total\{via="poll"\} (\d+)$`)

func rejectedByPoll(t testing.TB, h *origintest.Harness) string {
	t.Helper()
	_, body := h.Get(t, "/metrics")
	if m := rejectedPoll.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return "0"
}

// Another replica (or a hand edit) writes the store directly: this replica
// picks up rules, inventory and catalog changes by polling, and a broken
// rules file is counted once while the last good rules keep serving.
func TestRulesPolling(t *testing.T) {
	const poll = 20 * time.Millisecond
	h := origintest.StartRouting(t, func(c *config.Config) { c.Origin.RoutingPoll = poll })
	const within = 5 * time.Second

	origintest.WriteStoreFile(t, h.Store, routing.ActiveKey, wawDown(t, "from-another-replica"))
	origintest.WaitFor(t, within, "the new rules file serves", func() bool { return routePL(t, h).RulesVersion == "from-another-replica" })
	if a := routePL(t, h); a.Node.ID != "central" {
		t.Errorf("new rules route PL from %s", a.Node.ID)
	}

	origintest.WriteStoreFile(t, h.Store, routing.ActiveKey, "version: broken\nrules:\n  - kind: teleport\n")
	origintest.WaitFor(t, within, "the broken file is counted", func() bool { return rejectedByPoll(t, h) == "1" })
	time.Sleep(10 * poll)
	if n := rejectedByPoll(t, h); n != "1" {
		t.Errorf("a broken file was counted %s times over 10 polls, want once", n)
	}
	if a := routePL(t, h); a.RulesVersion != "from-another-replica" {
		t.Errorf("a broken file replaced the rules: %s", a.RulesVersion)
	}

	// Back to the demo rules; then a feed reports 1 unit left in Warsaw.
	origintest.WriteStoreFile(t, h.Store, routing.ActiveKey, origintest.ReadDemo(t, routing.ActiveKey))
	origintest.WaitFor(t, within, "the demo rules serve again", func() bool { return routePL(t, h).RulesVersion == origintest.DemoRulesVersion })
	if a := routePL(t, h); a.Node.ID != "eu-waw" {
		t.Fatalf("demo rules route PL from %s", a.Node.ID)
	}
	origintest.WriteStoreFile(t, h.Store, "inventory/eu-waw.json", fmt.Sprintf(`{"seq": 2, "as_of": %q, "items": {"amber-oud-50ml": 1}}`, origintest.RouteNow.Add(-time.Second).Format(time.RFC3339)))
	origintest.WaitFor(t, within, "the new snapshot routes around Warsaw", func() bool { return routePL(t, h).Node.ID == "central" })
	if r, _ := origintest.ReasonOf(routePL(t, h).Alternatives, "eu-waw"); r != routing.ReasonBelowMin {
		t.Errorf("eu-waw reason %q, want %s", r, routing.ReasonBelowMin)
	}

	// The catalog renames the central warehouse: the rules are rebound and
	// the badge follows.
	cat := origintest.StoreData(t, h.Store, catalog.Key)
	origintest.WriteStoreFile(t, h.Store, catalog.Key, strings.NewReplacer("name: Central warehouse", "name: Frankfurt warehouse",
		"pl-PL: magazynu centralnego", "pl-PL: magazynu we Frankfurcie").Replace(cat))
	if changed, err := h.Catalog.Reload(context.Background()); !changed || err != nil {
		t.Fatalf("catalog reload: %v %v", changed, err)
	}
	origintest.WaitFor(t, within, "the badge names the renamed warehouse", func() bool {
		return strings.Contains(routePL(t, h).Badge, "magazynu we Frankfurcie")
	})
	// A catalog that drops a hub the rules name keeps the old pair serving.
	origintest.WriteStoreFile(t, h.Store, catalog.Key, dropHub(t, cat, "us-east"))
	if _, err := h.Catalog.Reload(context.Background()); err != nil {
		t.Fatalf("catalog without us-east: %v", err)
	}
	origintest.WaitFor(t, within, "the misfit catalog is counted", func() bool {
		_, body := h.Get(t, "/metrics")
		return strings.Contains(string(body), `edgeshelf_routing_rules_rejected_total{via="catalog"} 1`)
	})
	if a := routePL(t, h); a.RulesVersion != origintest.DemoRulesVersion || !strings.Contains(a.Badge, "magazynu we Frankfurcie") {
		t.Errorf("after a catalog the rules do not fit: %s, %q", a.RulesVersion, a.Badge)
	}
}

// dropHub removes one hub's block from catalog.yaml text.
func dropHub(t testing.TB, cat, id string) string {
	t.Helper()
	start := strings.Index(cat, "  - id: "+id+"\n")
	if start < 0 {
		t.Fatalf("no hub %s", id)
	}
	end := strings.Index(cat[start+1:], "  - id: ")
	if next := strings.Index(cat[start:], "\ncarriers:"); end < 0 || next < end {
		end = next
	}
	return cat[:start] + cat[start+1+end:]
}

// TestHotReloadUnderLoad replaces the rules 50 times through the admin API
// while clients route continuously: no request fails, and every answer
// names a rules version that was in force (already PUT, or being PUT).
func TestHotReloadUnderLoad(t *testing.T) {
	h := origintest.StartRouting(t, nil)
	base := origintest.ReadDemo(t, routing.ActiveKey)
	var inForce sync.Map
	inForce.Store(origintest.DemoRulesVersion, true)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var requests, failures atomic.Int64
	var mu sync.Mutex
	var problems []string
	fail := func(format string, args ...any) {
		failures.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	bodies := []string{
		origintest.OrderJSON("amber-oud-50ml", 1, "PL", "pl-PL"),
		origintest.OrderJSON("rose-absolute-30ml", 1, "US", "en-US"),
		`{"lines":[{"sku":"amber-oud-50ml","qty":1},{"sku":"label-tee","qty":2}],"destination":{"country":"DE"},"locale":"de-DE","total":120}`,
	}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var resp *http.Response
				var err error
				if (g+i)%4 == 0 {
					resp, err = client.Get(h.URL + "/route?sku=label-hoodie&country=GB&locale=en-GB")
				} else {
					resp, err = client.Post(h.URL+"/route", "application/json", strings.NewReader(bodies[(g+i)%len(bodies)]))
				}
				requests.Add(1)
				if err != nil {
					fail("request: %v", err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					fail("status %d: %s", resp.StatusCode, body)
					continue
				}
				var a struct {
					RulesVersion string `json:"rules_version"`
				}
				if err := json.Unmarshal(body, &a); err != nil {
					fail("body %s: %v", body, err)
					continue
				}
				if _, ok := inForce.Load(a.RulesVersion); !ok {
					fail("rules_version %q was never in force", a.RulesVersion)
				}
			}
		}()
	}

	const swaps = 50
	for i := 1; i <= swaps; i++ {
		version := fmt.Sprintf("hot-%02d", i)
		src := strings.Replace(base, `version: "`+origintest.DemoRulesVersion+`"`, `version: "`+version+`"`, 1)
		if i%2 == 1 {
			src += fmt.Sprintf("  - {kind: exclude, hub: eu-waw, reason: \"drill %d\"}\n", i)
		}
		inForce.Store(version, true)
		resp, body := putRules(t, h, "", src)
		if resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %d %s", version, resp.StatusCode, body)
		}
	}
	before := requests.Load()
	origintest.WaitFor(t, 10*time.Second, "requests after the last swap", func() bool { return requests.Load() > before+50 })
	close(stop)
	wg.Wait()

	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed, e.g. %q", failures.Load(), requests.Load(), problems)
	}
	if requests.Load() < 2*swaps {
		t.Errorf("only %d requests during %d swaps", requests.Load(), swaps)
	}
	if a := routePL(t, h); a.RulesVersion != "hot-50" || a.Node.ID != "eu-waw" {
		t.Errorf("after the last swap: %s from %s", a.RulesVersion, a.Node.ID)
	}
	if v := versions(t, h); len(v.Versions) != swaps+1 || !v.Versions[swaps].Active {
		t.Errorf("%d versions stored, want the archived demo rules and %d", len(v.Versions), swaps)
	}
	t.Logf("%d requests, %d swaps", requests.Load(), swaps)
}

// TestRulesWatch: on a directory store a rules file written by hand is
// applied through the file watch, with polling turned off.
func TestRulesWatch(t *testing.T) {
	h := origintest.StartRouting(t, func(c *config.Config) { c.Origin.RoutingPoll = 0 })
	origintest.WriteStoreFile(t, h.Store, routing.ActiveKey, wawDown(t, "written-by-hand"))
	origintest.WaitFor(t, 5*time.Second, "the watched rules file serves", func() bool { return routePL(t, h).RulesVersion == "written-by-hand" })
}
