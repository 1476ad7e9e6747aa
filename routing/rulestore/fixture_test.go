package rulestore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// demoRulesVersion is the version: of demo/rules/active.yaml.
const demoRulesVersion = "demo-2026-03.1"

// routeNow is the routing clock: a Wednesday morning in Warsaw, with the
// demo's inventory counted 10 s before.
var routeNow = time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)

// rulesFixture is a rules store over a private copy of the demo store,
// with the clock stopped at routeNow.
type rulesFixture struct {
	rules   *rulestore.Store
	blob    *storefs.Store
	catalog *catalog.Source
	reg     *prometheus.Registry
}

// startRules builds the store; with run, Run serves polling (poll > 0)
// and the file watch until the test ends.
func startRules(t *testing.T, poll time.Duration, run bool) *rulesFixture {
	t.Helper()
	return startRulesOn(t, nil, poll, run)
}

// startRulesOn is startRules with the rules store reading the demo copy
// through wrap (nil: directly), for tests that break the store.
func startRulesOn(t *testing.T, wrap func(store.Blob) store.Blob, poll time.Duration, run bool) *rulesFixture {
	t.Helper()
	f := &rulesFixture{blob: demoCopy(t), reg: prometheus.NewRegistry()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	var err error
	if f.catalog, err = catalog.NewSource(ctx, f.blob, catalog.Config{}, log); err != nil {
		t.Fatal(err)
	}
	var blob store.Blob = f.blob
	if wrap != nil {
		blob = wrap(f.blob)
	}
	f.rules, err = rulestore.New(ctx, rulestore.Options{
		Config: routing.DefaultConfig(), Store: blob, Catalog: f.catalog, Poll: poll,
		Clock: func() time.Time { return routeNow }, Registry: f.reg, Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if run {
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.rules.Run(runCtx)
		}()
		t.Cleanup(func() { stop(); <-done })
	}
	return f
}

// demoCopy copies what the rules store reads from the demo store (the
// catalog, its originals, the rules and the inventory), with every
// snapshot restamped 10 s before routeNow as a live feed would publish it.
func demoCopy(t *testing.T) *storefs.Store {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	src, dst := filepath.Join(root, "demo"), t.TempDir()
	for _, dir := range []string{"originals", "inventory", "rules"} {
		if err := os.CopyFS(filepath.Join(dst, dir), os.DirFS(filepath.Join(src, dir))); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(src, catalog.Key))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	write(t, blob, catalog.Key, string(data))
	for _, hub := range []string{"central", "eu-waw", "us-east"} {
		key := routing.InventoryPrefix + hub + ".json"
		snap, err := routing.ParseSnapshot([]byte(stored(t, blob, key)))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		snap.AsOf = routeNow.Add(-10 * time.Second)
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(snap); err != nil {
			t.Fatal(err)
		}
		write(t, blob, key, buf.String())
	}
	return blob
}

// write puts an object as another replica, a feed or an operator would.
func write(t testing.TB, blob store.Blob, key, content string) {
	t.Helper()
	if _, err := blob.Put(context.Background(), key, []byte(content), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// stored reads an object's bytes.
func stored(t testing.TB, blob store.Blob, key string) string {
	t.Helper()
	obj, err := blob.Get(context.Background(), key, store.GetOptions{})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return string(obj.Data)
}

// demoRules is the demo's rules file.
func demoRules(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "demo", filepath.FromSlash(routing.ActiveKey)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wawDown is the demo rules with the Warsaw hub switched off.
func wawDown(t testing.TB, version string) string {
	return strings.Replace(demoRules(t), `version: "`+demoRulesVersion+`"`, `version: "`+version+`"`, 1) +
		"  - {kind: exclude, hub: eu-waw, reason: inventory count}\n"
}

// routePL asks where one Amber Oud to Poland ships from.
func (f *rulesFixture) routePL(t testing.TB) *routing.Decision {
	t.Helper()
	d, err := f.rules.Engine().Decide(context.Background(), routing.Order{
		Lines:       []routing.Line{{SKU: "amber-oud-50ml", Qty: 1}},
		Destination: routing.Destination{Country: "PL"}, Locale: "pl-PL",
	})
	if err != nil {
		t.Fatalf("route PL: %v", err)
	}
	return d
}

// reasonOf is the reason a decision gives for passing over node.
func reasonOf(d *routing.Decision, node string) string {
	for _, a := range d.Alternatives {
		if a.Node.ID == node {
			return a.Reason
		}
	}
	return ""
}

// counter reads a counter of the store's registry by its via label; 0
// when it has not been counted yet.
func (f *rulesFixture) counter(t testing.TB, name, via string) float64 {
	t.Helper()
	families, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "via" && l.GetValue() == via {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
