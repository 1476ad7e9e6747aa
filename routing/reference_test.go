package routing

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func demoReference(t *testing.T) *Reference {
	t.Helper()
	data, err := os.ReadFile("../demo/rules/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ParseReference(ReferenceKey, data, demoCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// everything stocks every SKU of the catalog at every node.
func everything(t *testing.T, now time.Time) *StaticInventory {
	cat := demoCatalog(t)
	items := map[string]int{}
	for _, s := range cat.SKUs {
		items[s.ID] = 10
	}
	hubs := map[string]map[string]int{}
	for _, h := range cat.Hubs {
		hubs[h.ID] = items
	}
	return stocked(now, hubs)
}

// The demo rules keep every outcome the demo reference pins, and a dry run
// of a rules change lists exactly the orders it moves.
func TestDryRunDemoReference(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	active, err := os.ReadFile("../demo/rules/active.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rs := mustRules(t, cat, string(active))
	ref := demoReference(t)
	e := newEngine(t, rs, everything(t, now), now)

	same, err := e.DryRun(context.Background(), rs, ref.List())
	if err != nil {
		t.Fatal(err)
	}
	if unmet := ref.Unmet(same); len(unmet) > 0 || same.Changed != 0 {
		t.Errorf("demo rules vs demo reference: %d changed, unmet %q", same.Changed, unmet)
	}

	down := strings.Replace(string(active), `version: "demo-2026-03.1"`, `version: "demo-waw-down"`, 1) +
		"  - {kind: exclude, hub: eu-waw, reason: inventory count}\n"
	candidate := mustRules(t, cat, down)
	rep, err := e.DryRun(context.Background(), candidate, ref.List())
	if err != nil {
		t.Fatal(err)
	}
	var moved []string
	for _, r := range rep.Results {
		if r.Changed {
			moved = append(moved, r.Order+":"+r.Active+"->"+r.Dry)
		}
	}
	want := []string{"pl-amber:eu-waw->central", "de-vetiver:eu-waw->central", "fr-premium:eu-waw->central", "gb-hoodie:eu-waw->central"}
	if strings.Join(moved, " ") != strings.Join(want, " ") || rep.Changed != 4 || rep.Orders != len(ref.Orders) {
		t.Errorf("moved %v (changed %d of %d), want %v", moved, rep.Changed, rep.Orders, want)
	}
	if rep.ActiveVersion != "demo-2026-03.1" || rep.CandidateVersion != "demo-waw-down" {
		t.Errorf("versions %s -> %s", rep.ActiveVersion, rep.CandidateVersion)
	}
	if len(ref.Unmet(rep)) != 4 {
		t.Errorf("unmet %q, want the 4 pinned eu-waw orders", ref.Unmet(rep))
	}
	if e.Rules() != rs {
		t.Error("DryRun swapped the rules")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.DryRun(ctx, candidate, ref.List()); !errors.Is(err, context.Canceled) {
		t.Errorf("DryRun with a cancelled context: %v", err)
	}
}

func TestParseReferenceProblems(t *testing.T) {
	cat := demoCatalog(t)
	for _, tc := range []struct {
		src  string
		line int
		path string
		msg  string
	}{
		{"orders:\n  - lines: [{sku: nope, qty: 1}]\n    destination: {country: DE}\n", 2, "orders[0].lines[0].sku", `unknown SKU "nope"`},
		{"orders:\n  - lines: [{sku: amber-oud-50ml, qty: 1}]\n    destination: {country: Germany}\n", 3, "orders[0].destination.country", "alpha-2"},
		{"orders:\n  - lines: [{sku: amber-oud-50ml, qty: 1}]\n    destination: {country: DE}\n    expect: mars\n", 4, "orders[0].expect", `unknown hub "mars"`},
		{"orders:\n  - lines: [{sku: amber-oud-50ml, qty: 1}]\n    destination: {country: DE}\n    colour: red\n", 4, "orders[0].colour", "unknown field"},
		{"orders:\n  - destination: {country: DE}\n", 2, "orders[0].lines", "at least one line"},
		{"order: []\n", 1, "order", "unknown field"},
	} {
		_, err := ParseReference("reference.yaml", []byte(tc.src), cat)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q: err %v", tc.src, err)
			continue
		}
		p := ve.Problems[0]
		if p.Line != tc.line || p.Path != tc.path || !strings.Contains(p.Msg, tc.msg) {
			t.Errorf("%q:\n got %s\nwant line %d: %s: …%s…", tc.src, p, tc.line, tc.path, tc.msg)
		}
	}
}
