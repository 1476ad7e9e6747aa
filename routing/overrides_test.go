package routing

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// steppingClock is an engine clock tests move forward.
type steppingClock struct{ ns atomic.Int64 }

func newSteppingClock(t time.Time) *steppingClock {
	c := &steppingClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *steppingClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *steppingClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func plDecision(t *testing.T, e *Engine, qty int) *Decision {
	t.Helper()
	d, err := e.Decide(context.Background(), Order{Lines: one(amber, qty), Destination: to("PL")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Past the stale age a hub's min_inventory rises by the safety stock (and
// the badge softens); past the hard limit the hub is skipped.
func TestStaleSafetyStock(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "version: v1\nrules: []\n")
	for _, tc := range []struct {
		name    string
		held    int
		age     time.Duration
		safety  int
		node    string
		stale   bool
		reason  string
		details string
	}{
		{"fresh, holds the minimum", 2, 5 * time.Second, 1, "eu-waw", false, "", ""},
		{"stale, holds the minimum", 2, 45 * time.Second, 1, "central", false, ReasonBelowMin, "holds 2 of amber-oud-50ml, min_inventory is 3 (default)"},
		{"stale, holds minimum + safety", 3, 45 * time.Second, 1, "eu-waw", true, "", ""},
		{"stale, safety 0", 2, 45 * time.Second, 0, "eu-waw", true, "", ""},
		{"stale, safety 5", 6, 45 * time.Second, 5, "central", false, ReasonBelowMin, "holds 6 of amber-oud-50ml, min_inventory is 7 (default)"},
		{"past the hard limit", 100, 11 * time.Minute, 1, "central", false, ReasonStaleInventory, "inventory data is 11m0s old, limit 10m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.StaleSafetyStock = tc.safety
			inv := stocked(now.Add(-tc.age), map[string]map[string]int{"eu-waw": {amber: tc.held}})
			e, err := New(cfg, rs, inv, fixed(now))
			if err != nil {
				t.Fatal(err)
			}
			d := plDecision(t, e, 1)
			if d.Node.ID != tc.node || d.BadgeStale != tc.stale {
				t.Fatalf("%s (stale badge %v), want %s (%v)", d.Node.ID, d.BadgeStale, tc.node, tc.stale)
			}
			if tc.stale && !strings.HasPrefix(d.Badge, "Usually ships") {
				t.Errorf("stale badge %q", d.Badge)
			}
			if tc.reason != "" {
				if a, _ := alt(d.Alternatives, "eu-waw"); a.Reason != tc.reason || a.Detail != tc.details {
					t.Errorf("eu-waw: %s %q, want %s %q", a.Reason, a.Detail, tc.reason, tc.details)
				}
			}
		})
	}
	if err := (Config{StaleAfter: time.Second, SkipAfter: time.Second, CentralStock: CentralUnlimited, StaleSafetyStock: -1}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "EDGESHELF_ROUTING_STALE_SAFETY_STOCK") {
		t.Errorf("negative safety stock: %v", err)
	}
}

// Overrides apply on top of inventory and expire by themselves on the
// engine's clock.
func TestOverrideExpiry(t *testing.T) {
	start := warsaw(2026, 3, 25, 10, 0)
	clock := newSteppingClock(start)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "version: v1\nrules: []\n")
	inv := stocked(start.Add(-5*time.Second), map[string]map[string]int{"eu-waw": {amber: 10, rose: 10}})
	e, err := New(DefaultConfig(), rs, inv, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	// The feed keeps the data fresh while the clock moves.
	tick := func(d time.Duration) {
		clock.advance(d)
		inv.Set("eu-waw", clock.now().Add(-5*time.Second), map[string]int{amber: 10, rose: 10})
	}
	zero, five := 0, 5
	if d := plDecision(t, e, 1); d.Node.ID != "eu-waw" {
		t.Fatalf("no override: %s", d.Node.ID)
	}

	// Disable the whole hub for 10 minutes.
	e.SetOverrides([]Override{{ID: "o1", Hub: "eu-waw", Disabled: true, Reason: "count is wrong", ExpiresAt: start.Add(10 * time.Minute), CreatedAt: start}})
	d := plDecision(t, e, 1)
	if a, _ := alt(d.Alternatives, "eu-waw"); d.Node.ID != "central" || a.Reason != ReasonOverride || a.Rule != "override:o1" || a.Detail != "count is wrong" {
		t.Fatalf("hub disabled: %s, eu-waw %+v", d.Node.ID, a)
	}
	tick(9 * time.Minute)
	if d := plDecision(t, e, 1); d.Node.ID != "central" {
		t.Fatalf("9 min later: %s", d.Node.ID)
	}
	tick(time.Minute) // expires_at reached: no longer in force
	if d := plDecision(t, e, 1); d.Node.ID != "eu-waw" {
		t.Fatalf("at expiry: %s", d.Node.ID)
	}

	// A qty override replaces the count; a later one wins; a SKU-only
	// disable leaves the hub's other SKUs alone.
	now := clock.now()
	e.SetOverrides([]Override{
		{ID: "q5", Hub: "eu-waw", SKU: amber, Qty: &five, Reason: "recount", ExpiresAt: now.Add(time.Hour), CreatedAt: now.Add(time.Second)},
		{ID: "q0", Hub: "eu-waw", SKU: amber, Qty: &zero, Reason: "shelf empty", ExpiresAt: now.Add(30 * time.Minute), CreatedAt: now},
	})
	if d := plDecision(t, e, 4); d.Node.ID != "eu-waw" {
		t.Fatalf("qty override 5 (later) over 0: %s", d.Node.ID)
	}
	if d := plDecision(t, e, 6); d.Node.ID != "central" {
		t.Fatalf("6 ordered, override says 5: %s", d.Node.ID)
	}
	e.SetOverrides([]Override{{ID: "s", Hub: "eu-waw", SKU: amber, Disabled: true, Reason: "damaged batch", ExpiresAt: now.Add(time.Hour), CreatedAt: now}})
	if d := plDecision(t, e, 1); d.Node.ID != "central" {
		t.Fatalf("sku disabled: %s", d.Node.ID)
	}
	if d, err := e.Decide(context.Background(), Order{Lines: one(rose, 1), Destination: to("PL")}); err != nil || d.Node.ID != "eu-waw" {
		t.Fatalf("a SKU override must leave the hub's other SKUs alone: %v %v", Outcome(d, err), err)
	}
	tick(time.Hour)
	if d := plDecision(t, e, 1); d.Node.ID != "eu-waw" {
		t.Fatalf("after the sku override expired: %s", d.Node.ID)
	}
	// Central with unlimited stock can be disabled too.
	now = clock.now()
	e.SetOverrides([]Override{{ID: "c", Hub: "central", Disabled: true, Reason: "strike", ExpiresAt: now.Add(time.Hour), CreatedAt: now}})
	if _, err := e.Decide(context.Background(), Order{Lines: one(amber, 20), Destination: to("PL")}); err == nil {
		t.Error("central disabled and eu-waw short: want no node")
	}
}

func TestStoreOverrides(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	blob := newMemBlob()
	var appliedA, appliedB atomic.Int32
	a := NewStoreOverrides(blob, func(l []Override) { appliedA.Store(int32(len(l))) })
	b := NewStoreOverrides(blob, func(l []Override) { appliedB.Store(int32(len(l))) })
	o, err := a.Add(ctx, Override{Hub: "eu-waw", Disabled: true, Reason: "r", ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil || o.ID == "" || !o.CreatedAt.Equal(now) {
		t.Fatalf("add: %+v %v", o, err)
	}
	if changed, err := b.Refresh(ctx); !changed || err != nil || appliedB.Load() != 1 {
		t.Fatalf("replica b: %v %v applied %d", changed, err, appliedB.Load())
	}
	if changed, _ := b.Refresh(ctx); changed {
		t.Error("unchanged file reported as changed")
	}
	if got := b.Active(now.Add(2 * time.Hour)); len(got) != 0 {
		t.Errorf("expired still listed: %+v", got)
	}
	if _, ok, err := b.Remove(ctx, o.ID, now); !ok || err != nil {
		t.Fatalf("remove: %v %v", ok, err)
	}
	if _, ok, _ := b.Remove(ctx, o.ID, now); ok {
		t.Error("removed twice")
	}
	if _, err := a.Refresh(ctx); err != nil || appliedA.Load() != 0 || len(a.Active(now)) != 0 {
		t.Errorf("replica a after removal: %v applied %d", err, appliedA.Load())
	}
	for _, tc := range []struct {
		o     Override
		field string
	}{
		{Override{Hub: "eu-waw", Reason: "r", ExpiresAt: now.Add(time.Hour)}, "qty"},
		{Override{Hub: "eu-waw", Qty: new(int), Reason: "r", ExpiresAt: now.Add(time.Hour)}, "sku"},
		{Override{Hub: "eu-waw", Disabled: true, ExpiresAt: now.Add(time.Hour)}, "reason"},
		{Override{Hub: "eu-waw", Disabled: true, Reason: "r"}, "expires_at"},
		{Override{Hub: "eu-waw", Disabled: true, Reason: "r", ExpiresAt: now.Add(-time.Second)}, "expires_at"},
		{Override{Hub: "eu-waw", Disabled: true, Reason: "r", ExpiresAt: now.Add(MaxOverrideTTL + time.Hour)}, "expires_at"},
		{Override{Hub: "eu-waw", SKU: amber, Disabled: true, Reason: "r", ExpiresAt: now.Add(time.Hour)}, ""},
	} {
		if f, msg := tc.o.Check(now); f != tc.field {
			t.Errorf("%+v: field %q (%s), want %q", tc.o, f, msg, tc.field)
		}
	}
}
