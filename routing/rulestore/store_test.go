package rulestore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

const demoVersion = "demo-2026-03.1"

// demoRulesStore is a rules store over a private copy of the demo store.
func demoRulesStore(t *testing.T) (*rulestore.Store, store.Blob) {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The catalog checks that every view has an original: copy them all.
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "demo"))); err != nil {
		t.Fatal(err)
	}
	blob, err := storefs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	cat, err := catalog.NewSource(ctx, blob, catalog.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rulestore.New(ctx, rulestore.Options{Config: routing.DefaultConfig(), Store: blob, Catalog: cat,
		Registry: prometheus.NewRegistry(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return rs, blob
}

func TestPutVersionsRollback(t *testing.T) {
	rs, blob := demoRulesStore(t)
	ctx := context.Background()
	if v := rs.Engine().Rules().Version(); v != demoVersion {
		t.Fatalf("serving %q, want the demo's %q", v, demoVersion)
	}
	active, err := blob.Get(ctx, routing.ActiveKey, store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	next := strings.Replace(string(active.Data), demoVersion, "test-2", 1)

	dry, err := rs.Put(ctx, []byte(next), true)
	if err != nil || !dry.DryRun || dry.Activated || dry.N != 0 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if v := rs.Engine().Rules().Version(); v != demoVersion {
		t.Fatalf("a dry run activated %q", v)
	}
	ch, err := rs.Put(ctx, []byte(next), false)
	if err != nil || !ch.Activated || ch.RulesVersion != "test-2" || ch.PreviousVersion != demoVersion {
		t.Fatalf("put: %+v, %v", ch, err)
	}
	if v := rs.Engine().Rules().Version(); v != "test-2" {
		t.Fatalf("serving %q after the put", v)
	}
	if _, err := blob.Stat(ctx, rulestore.VersionKey(ch.N)); err != nil {
		t.Fatalf("version %d not stored: %v", ch.N, err)
	}
	back, err := rs.Rollback(ctx, ch.Archived)
	if err != nil || rs.Engine().Rules().Version() != demoVersion {
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
	if v := rs.Engine().Rules().Version(); v != demoVersion {
		t.Errorf("an invalid put changed the rules to %q", v)
	}
}
