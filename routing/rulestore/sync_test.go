package rulestore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
)

const rejectedTotal = "edgeshelf_routing_rules_rejected_total"

// Another replica (or a hand edit) writes the store directly: the store
// picks up rules, inventory and catalog changes by polling, and a broken
// rules file is counted once while the last good rules keep serving.
func TestRulesPolling(t *testing.T) {
	const poll = 20 * time.Millisecond
	f := startRules(t, poll, true)
	const within = 5 * time.Second

	write(t, f.blob, routing.ActiveKey, wawDown(t, "from-another-replica"))
	waitFor(t, within, "the new rules file serves", func() bool { return f.routePL(t).RulesVersion == "from-another-replica" })
	if d := f.routePL(t); d.Node.ID != "central" {
		t.Errorf("new rules route PL from %s", d.Node.ID)
	}

	write(t, f.blob, routing.ActiveKey, "version: broken\nrules:\n  - kind: teleport\n")
	waitFor(t, within, "the broken file is counted", func() bool { return f.counter(t, rejectedTotal, "poll") == 1 })
	time.Sleep(10 * poll)
	if n := f.counter(t, rejectedTotal, "poll"); n != 1 {
		t.Errorf("a broken file was counted %v times over 10 polls, want once", n)
	}
	if d := f.routePL(t); d.RulesVersion != "from-another-replica" {
		t.Errorf("a broken file replaced the rules: %s", d.RulesVersion)
	}

	// Back to the demo rules; then a feed reports 1 unit left in Warsaw.
	write(t, f.blob, routing.ActiveKey, demoRules(t))
	waitFor(t, within, "the demo rules serve again", func() bool { return f.routePL(t).RulesVersion == demoRulesVersion })
	if d := f.routePL(t); d.Node.ID != "eu-waw" {
		t.Fatalf("demo rules route PL from %s", d.Node.ID)
	}
	write(t, f.blob, "inventory/eu-waw.json", fmt.Sprintf(`{"seq": 2, "as_of": %q, "items": {"amber-oud-50ml": 1}}`, routeNow.Add(-time.Second).Format(time.RFC3339)))
	waitFor(t, within, "the new snapshot routes around Warsaw", func() bool { return f.routePL(t).Node.ID == "central" })
	if r := reasonOf(f.routePL(t), "eu-waw"); r != routing.ReasonBelowMin {
		t.Errorf("eu-waw reason %q, want %s", r, routing.ReasonBelowMin)
	}

	// The catalog renames the central warehouse, and its Polish name: the
	// rules are rebound, and the decision and the badge follow.
	cat := stored(t, f.blob, catalog.Key)
	renamed := strings.NewReplacer("name: Central warehouse", "name: Frankfurt warehouse",
		"pl-PL: magazynu centralnego", "pl-PL: magazynu we Frankfurcie").Replace(cat)
	write(t, f.blob, catalog.Key, renamed)
	if changed, err := f.catalog.Reload(context.Background()); !changed || err != nil {
		t.Fatalf("catalog reload: %v %v", changed, err)
	}
	waitFor(t, within, "the badge names the renamed warehouse", func() bool {
		d := f.routePL(t)
		return strings.Contains(d.Badge, "magazynu we Frankfurcie") && d.Node.Name == "Frankfurt warehouse"
	})
	// A catalog that drops a hub the rules name keeps the old pair serving.
	write(t, f.blob, catalog.Key, dropHub(t, renamed, "us-east"))
	if _, err := f.catalog.Reload(context.Background()); err != nil {
		t.Fatalf("catalog without us-east: %v", err)
	}
	waitFor(t, within, "the misfit catalog is counted", func() bool { return f.counter(t, rejectedTotal, "catalog") == 1 })
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion || !strings.Contains(d.Badge, "magazynu we Frankfurcie") {
		t.Errorf("after a catalog the rules do not fit: %s, %q", d.RulesVersion, d.Badge)
	}
}

// Sync applies what changed in one call: the same path Run's poll takes,
// without waiting for it.
func TestSync(t *testing.T) {
	f := startRules(t, 0, false)
	ctx := context.Background()
	write(t, f.blob, routing.ActiveKey, wawDown(t, "synced"))
	f.rules.Sync(ctx)
	if d := f.routePL(t); d.RulesVersion != "synced" || d.Node.ID != "central" {
		t.Errorf("after Sync: %s from %s", d.RulesVersion, d.Node.ID)
	}
	// rules/active.yaml disappearing keeps the rules in force.
	if err := f.blob.Delete(ctx, routing.ActiveKey); err != nil {
		t.Fatal(err)
	}
	f.rules.Sync(ctx)
	if d := f.routePL(t); d.RulesVersion != "synced" {
		t.Errorf("after the file disappeared: %s", d.RulesVersion)
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

// TestRulesWatch: on a directory store a rules file written by hand is
// applied through the file watch, with polling turned off.
func TestRulesWatch(t *testing.T) {
	f := startRules(t, 0, true)
	write(t, f.blob, routing.ActiveKey, wawDown(t, "written-by-hand"))
	waitFor(t, 5*time.Second, "the watched rules file serves", func() bool { return f.routePL(t).RulesVersion == "written-by-hand" })
}

// TestHotReloadUnderLoad replaces the rules 50 times while clients route
// continuously: no decision fails, and every one names a rules version
// that was in force (already put, or being put).
func TestHotReloadUnderLoad(t *testing.T) {
	f := startRules(t, 0, false)
	base := demoRules(t)
	var inForce sync.Map
	inForce.Store(demoRulesVersion, true)
	orders := []routing.Order{
		{Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 1}}, Destination: routing.Destination{Country: "PL"}, Locale: "pl-PL"},
		{Lines: []routing.Line{{SKU: "rose-absolute-30ml", Qty: 1}}, Destination: routing.Destination{Country: "US"}, Locale: "en-US"},
		{Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 1}, {SKU: "label-tee", Qty: 2}}, Destination: routing.Destination{Country: "DE"}, Locale: "de-DE", Total: 120},
		{Lines: []routing.Line{{SKU: "label-hoodie", Qty: 1}}, Destination: routing.Destination{Country: "GB"}, Locale: "en-GB"},
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var decisions, failures atomic.Int64
	var firstFailure atomic.Value
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				d, err := f.rules.Engine().Decide(context.Background(), orders[(g+i)%len(orders)])
				decisions.Add(1)
				switch {
				case err != nil:
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				default:
					if _, ok := inForce.Load(d.RulesVersion); !ok {
						failures.Add(1)
						firstFailure.CompareAndSwap(nil, "rules_version "+d.RulesVersion+" was never in force")
					}
				}
			}
		})
	}

	const swaps = 50
	for i := 1; i <= swaps; i++ {
		version := fmt.Sprintf("hot-%02d", i)
		src := strings.Replace(base, `version: "`+demoRulesVersion+`"`, `version: "`+version+`"`, 1)
		if i%2 == 1 {
			src += fmt.Sprintf("  - {kind: exclude, hub: eu-waw, reason: \"drill %d\"}\n", i)
		}
		inForce.Store(version, true)
		if _, err := f.rules.Put(context.Background(), []byte(src), false); err != nil {
			t.Fatalf("put %s: %v", version, err)
		}
	}
	before := decisions.Load()
	waitFor(t, 10*time.Second, "decisions after the last swap", func() bool { return decisions.Load() > before+50 })
	close(stop)
	wg.Wait()

	if failures.Load() > 0 {
		t.Errorf("%d of %d decisions failed, the first: %v", failures.Load(), decisions.Load(), firstFailure.Load())
	}
	if decisions.Load() < 2*swaps {
		t.Errorf("only %d decisions during %d swaps", decisions.Load(), swaps)
	}
	if d := f.routePL(t); d.RulesVersion != "hot-50" || d.Node.ID != "eu-waw" {
		t.Errorf("after the last swap: %s from %s", d.RulesVersion, d.Node.ID)
	}
	if v := versions(t, f); len(v.Versions) != swaps+1 || !v.Versions[swaps].Active {
		t.Errorf("%d versions stored, want the archived demo rules and %d", len(v.Versions), swaps)
	}
}
