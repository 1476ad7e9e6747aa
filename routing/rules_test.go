package routing

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// baseRules is a valid rules file; line numbers matter, the broken cases
// below are edits of it and name the line their problem is on.
const baseRules = `version: t1
central_stock: unlimited
rules:
  - kind: min_inventory
    units: 2
  - kind: exclude
    hub: us-east
    reason: storm
  - kind: prefer
    hubs: [central]
    when: order.total > 100
  - kind: cost
    costs:
      eu-waw: {EU: 4}
  - kind: sla
    max_hours: 96
  - kind: max_splits
    splits: 1
`

// editRules applies old, new pairs to baseRules; each old must occur once.
func editRules(t testing.TB, pairs ...string) string {
	t.Helper()
	s := baseRules
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("edit: %q occurs %d times, want 1", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestParseRulesBase(t *testing.T) {
	cat := demoCatalog(t)
	rs := mustRules(t, cat, baseRules)
	if rs.Version() != "t1" || rs.Len() != 6 || len(rs.conds) != 1 || rs.Catalog() != cat {
		t.Errorf("version %q, %d rules, %d conditions", rs.Version(), rs.Len(), len(rs.conds))
	}
	// Conditions are compiled once per distinct text.
	shared := mustRules(t, cat, "rules:\n  - {kind: sla, max_hours: 9, when: order.total > 1}\n  - {kind: max_splits, splits: 1, when: order.total > 1}\n")
	if len(shared.conds) != 1 {
		t.Errorf("%d programs for one distinct condition, want 1", len(shared.conds))
	}
	// Without a version the file's hash names it, so equal files get equal versions.
	a := mustRules(t, cat, "rules: []\n")
	b := mustRules(t, cat, "rules: []\n")
	if !strings.HasPrefix(a.Version(), "sha256:") || a.Version() != b.Version() {
		t.Errorf("hash versions %q, %q", a.Version(), b.Version())
	}
	if v := mustRules(t, cat, "version: 7\n").Version(); v != "7" {
		t.Errorf("version: 7 -> %q", v)
	}
	if d, err := DefaultRules(cat); err != nil || d.Version() != "default" || d.Len() != 0 {
		t.Errorf("DefaultRules: %v, %v", d, err)
	}
}

func TestParseRulesDemo(t *testing.T) {
	data, err := os.ReadFile("../demo/rules/active.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat := demoCatalog(t)
	rs, err := ParseRules(ActiveKey, data, cat)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Version() != "demo-2026-03.1" || rs.Len() != 8 {
		t.Errorf("demo rules: version %q, %d rules", rs.Version(), rs.Len())
	}
	// Rebinding to a catalog without a hub the rules name fails, with the line.
	noUS := demoCatalog(t)
	noUS.Hubs = slicesDeleteHub(noUS.Hubs, "us-east")
	if _, err := rs.Rebind(noUS); err == nil || !strings.Contains(err.Error(), `unknown hub "us-east"`) {
		t.Errorf("Rebind without us-east: %v", err)
	}
	if again, err := rs.Rebind(cat); err != nil || again.Version() != rs.Version() {
		t.Errorf("Rebind: %v", err)
	}
}

func TestParseRulesProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		path string
		msg  string
	}{
		{"unknown kind", editRules(t, "kind: min_inventory", "kind: min_inventroy"), 4, "rules[0].kind", `unknown rule kind "min_inventroy"`},
		{"field of another kind", editRules(t, "units: 2\n", "units: 2\n    km: 5\n"), 6, "rules[0].km", "unknown field for kind min_inventory"},
		{"unknown field", editRules(t, "reason: storm\n", "reason: storm\n    resaon: typo\n"), 9, "rules[1].resaon", "unknown field"},
		{"wrong type", editRules(t, "units: 2", "units: two"), 5, "rules[0].units", "cannot unmarshal string into int"},
		{"units out of range", editRules(t, "units: 2", "units: 0"), 5, "rules[0].units", "must be within"},
		{"unknown hub", editRules(t, "hub: us-east", "hub: us-west"), 7, "rules[1].hub", `unknown hub "us-west" (the catalog has central, eu-waw, us-east)`},
		{"unknown hub in a list", editRules(t, "hubs: [central]", "hubs: [central, nowhere]"), 10, "rules[2].hubs[1]", `unknown hub "nowhere"`},
		{"hub listed twice", editRules(t, "hubs: [central]", "hubs: [central, central]"), 10, "rules[2].hubs[1]", "listed twice"},
		{"bad expression", editRules(t, "order.total > 100", "order.totl > 100"), 11, "rules[2].when", "order has no field totl"},
		{"syntax error in expression", editRules(t, "order.total > 100", "order.total >"), 11, "rules[2].when", "unexpected token"},
		{"expression not boolean", editRules(t, "order.total > 100", "order.total"), 11, "rules[2].when", "expected bool"},
		{"expr's now() is disabled", editRules(t, "order.total > 100", "now().Hour() > 12"), 11, "rules[2].when", ""},
		{"error on the 2nd line of a block condition", editRules(t, "when: order.total > 100", "when: |\n      order.total > 100 &&\n      order.nope"), 13, "rules[2].when", "has no field nope"},
		{"exclude without reason", editRules(t, "    reason: storm\n", ""), 6, "rules[1].reason", "is required"},
		{"bad until", editRules(t, "reason: storm\n", "reason: storm\n    until: tomorrow\n"), 9, "rules[1].until", "RFC 3339"},
		{"unknown cost region", editRules(t, "eu-waw: {EU: 4}", "eu-waw: {EU: 4, MARS: 1}"), 14, "rules[3].costs.eu-waw.MARS", "neither a region"},
		{"unknown cost hub", editRules(t, "eu-waw: {EU: 4}", "nowhere: {EU: 4}"), 14, "rules[3].costs.nowhere", "unknown hub"},
		{"negative cost", editRules(t, "eu-waw: {EU: 4}", "eu-waw: {EU: -4}"), 14, "rules[3].costs.eu-waw.EU", "≥ 0"},
		{"sla out of range", editRules(t, "max_hours: 96", "max_hours: 0"), 16, "rules[4].max_hours", "must be within"},
		{"sla missing hours", editRules(t, "    max_hours: 96\n", ""), 15, "rules[4].max_hours", "is required"},
		{"negative splits", editRules(t, "splits: 1", "splits: -1"), 18, "rules[5].splits", "must be within"},
		{"unknown top-level field", editRules(t, "version: t1\n", "version: t1\nrouting: yes\n"), 2, "routing", "unknown field"},
		{"bad central_stock", editRules(t, "central_stock: unlimited", "central_stock: lots"), 2, "central_stock", `"lots" is not unlimited or inventory`},
		{"bad weight", editRules(t, "version: t1\n", "version: t1\nweights: {latency: -1}\n"), 2, "weights.latency", "≥ 0"},
		{"unknown weight", editRules(t, "version: t1\n", "version: t1\nweights: {speed: 1}\n"), 2, "weights.speed", "unknown weight"},
		{"bad version", editRules(t, "version: t1", "version: \"has space\""), 1, "version", "must be"},
		{"duplicate rule name", editRules(t, "units: 2\n", "units: 2\n    name: a\n", "max_hours: 96\n", "max_hours: 96\n    name: a\n"), 18, "rules[4].name", `duplicate rule name "a"`},
		{"missing kind", editRules(t, "  - kind: sla\n", "  - \n"), 16, "rules[4].kind", "is required"},
		{"rule is not a mapping", "rules:\n  - 5\n", 2, "rules[0]", "want a mapping"},
		{"rules is not a list", "rules: 5\n", 1, "rules", "want a list"},
		{"top level is not a mapping", "- a\n", 1, "$", "want a mapping"},
		{"empty file", "", 0, "$", "file is empty"},
		{"only a comment", "# nothing\n", 0, "$", "file is empty"},
		{"two documents", "version: a\n---\nversion: b\n", 3, "$", "want one YAML document"},
		{"malformed YAML", "rules:\n  - kind: [\n", 2, "$", ""},
		{"regions outside the catalog", "rules:\n  - {kind: regions, hub: eu-waw, serve: [EU, Europe]}\n", 2, "rules[0].serve[1]", `"Europe" is neither a region`},
	}
	cat := demoCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules("active.yaml", []byte(tt.src), cat)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if len(ve.Problems) == 0 {
				t.Fatal("no problems listed")
			}
			p := ve.Problems[0]
			if p.Line != tt.line || p.Path != tt.path || !strings.Contains(p.Msg, tt.msg) {
				t.Errorf("got %s\nwant line %d: %s: …%s…", p, tt.line, tt.path, tt.msg)
			}
			if ve.Code() != "invalid_rules" || !strings.HasPrefix(ve.Error(), "active.yaml: ") {
				t.Errorf("Error() = %q", ve.Error())
			}
		})
	}
}

// Every problem is listed, each with its own line, not just the first.
func TestParseRulesListsEveryProblem(t *testing.T) {
	src := editRules(t,
		"kind: min_inventory", "kind: min_inventroy",
		"hub: us-east", "hub: us-west",
		"order.total > 100", "order.totl > 100",
		"max_hours: 96", "max_hours: -5",
	)
	_, err := ParseRules("active.yaml", []byte(src), demoCatalog(t))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, p := range ve.Problems {
		lines = append(lines, p.Line)
	}
	if want := []int{4, 7, 11, 16}; !equalInts(lines, want) {
		t.Errorf("problem lines %v, want %v:\n%v", lines, want, err)
	}
}

func TestParseRulesLimits(t *testing.T) {
	cat := demoCatalog(t)
	big := make([]byte, MaxRulesBytes+1)
	if _, err := ParseRules("big.yaml", big, cat); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized file: %v", err)
	}
	if _, err := ParseRules("x.yaml", []byte("rules: []\n"), nil); err == nil {
		t.Error("nil catalog accepted")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
