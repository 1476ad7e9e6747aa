package rulestore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
)

// demoRulesStore is a rules store over a private copy of the demo store.
func demoRulesStore(t *testing.T) (*rulestore.Store, store.Blob) {
	t.Helper()
	f := startRules(t, 0, false)
	return f.rules, f.blob
}

func TestPutVersionsRollback(t *testing.T) {
	rs, blob := demoRulesStore(t)
	ctx := context.Background()
	if v := rs.Engine().Rules().Version(); v != demoRulesVersion {
		t.Fatalf("serving %q, want the demo's %q", v, demoRulesVersion)
	}
	active, err := blob.Get(ctx, routing.ActiveKey, store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	next := strings.Replace(string(active.Data), demoRulesVersion, "test-2", 1)

	dry, err := rs.Put(ctx, []byte(next), true)
	if err != nil || !dry.DryRun || dry.Activated || dry.N != 0 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if v := rs.Engine().Rules().Version(); v != demoRulesVersion {
		t.Fatalf("a dry run activated %q", v)
	}
	ch, err := rs.Put(ctx, []byte(next), false)
	if err != nil || !ch.Activated || ch.RulesVersion != "test-2" || ch.PreviousVersion != demoRulesVersion {
		t.Fatalf("put: %+v, %v", ch, err)
	}
	if v := rs.Engine().Rules().Version(); v != "test-2" {
		t.Fatalf("serving %q after the put", v)
	}
	if _, err := blob.Stat(ctx, rulestore.VersionKey(ch.N)); err != nil {
		t.Fatalf("version %d not stored: %v", ch.N, err)
	}
	back, err := rs.Rollback(ctx, ch.Archived)
	if err != nil || rs.Engine().Rules().Version() != demoRulesVersion {
		t.Fatalf("rollback to the archived demo rules (%d): %+v, %v; serving %q", ch.Archived, back, err, rs.Engine().Rules().Version())
	}
}

func TestTypedErrors(t *testing.T) {
	rs, _ := demoRulesStore(t)
	ctx := context.Background()
	_, err := rs.Rollback(ctx, 99)
	var unknown *rulestore.UnknownVersionError
	if !errors.As(err, &unknown) || unknown.N != 99 {
		t.Errorf("rollback to a missing version: %v, want an UnknownVersionError for 99", err)
	}
	_, err = rs.Put(ctx, []byte("version: x\nrules:\n  - {kind: exclude, hub: nowhere}\n"), false)
	var invalid *routing.ValidationError
	if !errors.As(err, &invalid) || len(invalid.Problems) == 0 {
		t.Errorf("invalid rules: %v, want a routing.ValidationError with problems", err)
	}
	if v := rs.Engine().Rules().Version(); v != demoRulesVersion {
		t.Errorf("an invalid put changed the rules to %q", v)
	}
}
