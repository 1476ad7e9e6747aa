package rulestore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
)

// A rules file with problems is refused whole, every problem with its
// line; nothing is stored and the old rules keep serving.
func TestPutInvalidRules(t *testing.T) {
	f := startRules(t, 0, false)
	ctx := context.Background()
	const broken = "version: broken\n" + // line 1
		"rules:\n" + // 2
		"  - kind: exclude\n" + // 3: no reason
		"    hub: eu-wow\n" + // 4: unknown hub
		"  - kind: teleport\n" + // 5: unknown kind
		"  - {kind: min_inventory, units: 0}\n" // 6: out of range
	_, err := f.rules.Put(ctx, []byte(broken), false)
	var ve *routing.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Put = %v, want a *routing.ValidationError", err)
	}
	lines := map[int]string{}
	for _, pr := range ve.Problems {
		lines[pr.Line] = pr.Path
	}
	want := map[int]string{3: "rules[0].reason", 4: "rules[0].hub", 5: "rules[1].kind", 6: "rules[2].units"}
	p, _ := problem.As(err)
	if p == nil || p.Status != http.StatusBadRequest || p.Code != "invalid_rules" || fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("problem %+v, problems by line %v, want 400 invalid_rules and %v", p, lines, want)
	}
	for line := range want {
		if p == nil || !strings.Contains(p.Detail, fmt.Sprintf("line %d: ", line)) {
			t.Errorf("detail lacks line %d: %+v", line, p)
		}
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion || d.Node.ID != "eu-waw" {
		t.Errorf("after a broken PUT: %s from %s", d.RulesVersion, d.Node.ID)
	}
	if stored(t, f.blob, routing.ActiveKey) != demoRules(t) {
		t.Error("rules/active.yaml changed")
	}
	if v, err := f.rules.Versions(ctx); err != nil || len(v.Versions) != 0 || v.Serving != demoRulesVersion {
		t.Errorf("versions after a broken PUT: %+v, %v", v, err)
	}
	// Not YAML, or nothing at all: the same refusal.
	for _, body := range []string{"rules: [", ""} {
		_, err := f.rules.Put(ctx, []byte(body), false)
		if p, ok := problem.As(err); !ok || p.Status != http.StatusBadRequest || p.Code != "invalid_rules" {
			t.Errorf("Put(%q) = %v, want 400 invalid_rules", body, err)
		}
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion {
		t.Errorf("rules_version %s after refused PUTs", d.RulesVersion)
	}
	if n := f.counter(t, "edgeshelf_routing_rules_rejected_total", "put"); n != 3 {
		t.Errorf("%v PUTs counted as rejected, want 3", n)
	}
}

// The demo inventory keeps every outcome the demo reference pins.
func TestDemoReferenceHolds(t *testing.T) {
	f := startRules(t, 0, false)
	ch, err := f.rules.Put(context.Background(), []byte(demoRules(t)), true)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Activated || !ch.DryRun || ch.Report == nil || ch.Report.Orders != 10 || ch.Report.Changed != 0 || len(ch.Unmet) != 0 || ch.ReferenceError != "" {
		t.Fatalf("demo rules on the demo reference and inventory: %+v", ch)
	}
}

func TestPutDryRunActivateRollback(t *testing.T) {
	f := startRules(t, 0, false)
	ctx := context.Background()

	// A dry run reports and changes nothing.
	ch, err := f.rules.Put(ctx, []byte(wawDown(t, "waw-down")), true)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Activated || !ch.DryRun || ch.N != 0 || ch.RulesVersion != "waw-down" || ch.PreviousVersion != demoRulesVersion {
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
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion || d.Node.ID != "eu-waw" {
		t.Errorf("after a dry run: %s from %s", d.RulesVersion, d.Node.ID)
	}
	if v := versions(t, f); len(v.Versions) != 0 {
		t.Errorf("a dry run stored versions: %+v", v)
	}

	// Activate: the demo rules are archived as 1, the new ones are 2.
	if ch, err = f.rules.Put(ctx, []byte(wawDown(t, "waw-down")), false); err != nil {
		t.Fatal(err)
	}
	if !ch.Activated || ch.N != 2 || ch.Key != "rules/versions/2.yaml" || ch.Archived != 1 || len(ch.Unmet) != 4 {
		t.Errorf("activate: %+v", ch)
	}
	if stored(t, f.blob, "rules/versions/1.yaml") != demoRules(t) ||
		stored(t, f.blob, "rules/versions/2.yaml") != wawDown(t, "waw-down") ||
		stored(t, f.blob, routing.ActiveKey) != wawDown(t, "waw-down") {
		t.Error("the store does not hold the archived, the new and the active rules")
	}
	d := f.routePL(t)
	if d.RulesVersion != "waw-down" || d.Node.ID != "central" || reasonOf(d, "eu-waw") != routing.ReasonExcluded {
		t.Errorf("after activation: %s from %s, eu-waw %q", d.RulesVersion, d.Node.ID, reasonOf(d, "eu-waw"))
	}
	v := versions(t, f)
	if v.Serving != "waw-down" || len(v.Versions) != 2 ||
		v.Versions[0].N != 1 || v.Versions[0].RulesVersion != demoRulesVersion || v.Versions[0].Active || !v.Versions[0].Valid ||
		v.Versions[1].N != 2 || v.Versions[1].RulesVersion != "waw-down" || !v.Versions[1].Active || v.Versions[1].StoredAt.IsZero() {
		t.Errorf("versions: %+v", v)
	}
	// A second PUT needs no archive: 2 is stored.
	if ch, err = f.rules.Put(ctx, []byte(wawDown(t, "waw-down-2")), false); err != nil || ch.N != 3 || ch.Archived != 0 {
		t.Errorf("second activation: %+v, %v", ch, err)
	}

	// Roll back to the demo rules.
	ch, err = f.rules.Rollback(ctx, 1)
	if err != nil || !ch.Activated || ch.N != 1 || ch.RulesVersion != demoRulesVersion || ch.PreviousVersion != "waw-down-2" || len(ch.Unmet) != 0 {
		t.Errorf("rollback: %+v, %v", ch, err)
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion || d.Node.ID != "eu-waw" {
		t.Errorf("after rollback: %s from %s", d.RulesVersion, d.Node.ID)
	}
	v = versions(t, f)
	if len(v.Versions) != 3 || !v.Versions[0].Active || v.Versions[1].Active || v.Versions[2].Active || v.Serving != demoRulesVersion {
		t.Errorf("versions after rollback: %+v", v)
	}
	// A version that is not stored: 404 unknown_rules_version.
	_, err = f.rules.Rollback(ctx, 99)
	var unknown *rulestore.UnknownVersionError
	p, _ := problem.As(err)
	if !errors.As(err, &unknown) || unknown.N != 99 || p == nil || p.Status != http.StatusNotFound || p.Code != "unknown_rules_version" {
		t.Errorf("rollback to 99: %v (problem %+v)", err, p)
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion {
		t.Errorf("after a refused rollback: %s", d.RulesVersion)
	}
}

// A version that no longer fits the catalog cannot be rolled back to: 409
// invalid_rules, with the problem's line.
func TestRollbackRefusesStaleVersion(t *testing.T) {
	f := startRules(t, 0, false)
	write(t, f.blob, "rules/versions/1.yaml", "version: old\nrules:\n  - {kind: exclude, hub: eu-ber, reason: closed}\n")
	_, err := f.rules.Rollback(context.Background(), 1)
	var stale *rulestore.StaleVersionError
	if !errors.As(err, &stale) || stale.N != 1 || len(stale.Invalid.Problems) != 1 || stale.Invalid.Problems[0].Line != 3 {
		t.Fatalf("rollback to a version naming a removed hub: %v", err)
	}
	p, ok := problem.As(err)
	if !ok || p.Status != http.StatusConflict || p.Title != "Conflict" || p.Code != "invalid_rules" ||
		!strings.HasPrefix(p.Detail, "version 1 no longer validates against the catalog: the rules file has 1 problem(s)") {
		t.Errorf("problem %+v", p)
	}
	if probs, _ := p.Extensions["problems"].([]routing.Problem); len(probs) != 1 || probs[0].Line != 3 {
		t.Errorf("problems member %v, want the one on line 3", p.Extensions["problems"])
	}
	v := versions(t, f)
	if len(v.Versions) != 1 || v.Versions[0].Valid || v.Versions[0].RulesVersion != "old" || v.Versions[0].Problem == "" {
		t.Errorf("versions: %+v", v)
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion {
		t.Errorf("after a refused rollback: %s", d.RulesVersion)
	}
}

func versions(t testing.TB, f *rulesFixture) *rulestore.RulesVersions {
	t.Helper()
	v, err := f.rules.Versions(context.Background())
	if err != nil {
		t.Fatalf("versions: %v", err)
	}
	return v
}

// A stored version over the rules size limit (put there by hand) is
// refused as 422 rules_too_large, not mapped to the photos' size error,
// and the rules in force stay.
func TestRollbackRefusesOversizedVersion(t *testing.T) {
	f := startRules(t, 0, false)
	write(t, f.blob, "rules/versions/1.yaml", "version: huge\n# "+strings.Repeat("x", routing.MaxRulesBytes)+"\n")
	_, err := f.rules.Rollback(context.Background(), 1)
	var tooLarge *rulestore.TooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Key != "rules/versions/1.yaml" {
		t.Fatalf("rollback to an oversized version: %v, want a TooLargeError", err)
	}
	if p, ok := problem.As(err); !ok || p.Status != http.StatusUnprocessableEntity || p.Code != "rules_too_large" {
		t.Errorf("problem %+v, want 422 rules_too_large", p)
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion {
		t.Errorf("after a refused rollback: %s", d.RulesVersion)
	}
}
