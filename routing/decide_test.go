package routing

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	amber = "amber-oud-50ml"
	rose  = "rose-absolute-30ml"
)

// TestDecide runs the demo catalog through the rule kinds. want is an
// Outcome: a node id, a split, or error:no_fulfilment_node; reasons are
// checked on the alternatives (or on the NoNodeError's candidates).
func TestDecide(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0) // a Wednesday
	asOf := now.Add(-5 * time.Second)
	plenty := map[string]int{amber: 10, rose: 10}
	central0 := "central_stock: inventory\n"
	f64 := func(v float64) *float64 { return &v }

	tests := []struct {
		name    string
		hubs    []string // extra hubs spliced into the demo catalog
		rules   string   // "" = the playbook (DefaultRules)
		stock   map[string]map[string]int
		order   Order
		want    string
		reasons map[string]string // node -> reason among alternatives
	}{
		{
			name:  "nearest hub holding 2 units wins",
			stock: map[string]map[string]int{"eu-waw": {amber: 2}, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "eu-waw", reasons: map[string]string{"us-east": ReasonNoCarrier, "central": ""},
		},
		{
			name:  "1 unit at the nearest hub falls through to the next hub",
			hubs:  []string{berlinHub},
			stock: map[string]map[string]int{"eu-waw": {amber: 1}, "eu-ber": {amber: 5}, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "eu-ber", reasons: map[string]string{"eu-waw": ReasonBelowMin},
		},
		{
			name:  "of two stocked hubs the nearer one wins",
			hubs:  []string{berlinHub},
			stock: map[string]map[string]int{"eu-waw": plenty, "eu-ber": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "eu-ber", reasons: map[string]string{"eu-waw": ""},
		},
		{
			name:  "1 unit at the only EU hub falls through to central",
			stock: map[string]map[string]int{"eu-waw": {amber: 1}, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonBelowMin},
		},
		{
			name:  "ordering more than a hub holds is out of stock, not below minimum",
			stock: map[string]map[string]int{"eu-waw": {amber: 3}, "us-east": plenty},
			order: Order{Lines: one(amber, 4), Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonOutOfStock},
		},
		{
			name:  "the next hub cannot deliver to the US either: central",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": {amber: 1}},
			order: Order{Lines: one(amber, 1), Destination: to("US")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonNoCarrier, "us-east": ReasonBelowMin},
		},
		{
			name:  "min_inventory rule lowers the threshold",
			rules: "rules:\n  - {kind: min_inventory, units: 1}\n",
			stock: map[string]map[string]int{"eu-waw": {amber: 1}, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "eu-waw",
		},
		{
			name:  "hub excluded",
			rules: "rules:\n  - {kind: exclude, hub: eu-waw, reason: flooded loading dock}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonExcluded},
		},
		{
			name:  "an exclusion past its until no longer applies",
			rules: "rules:\n  - {kind: exclude, hub: eu-waw, reason: flooded, until: \"2026-03-25T08:00:00Z\"}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "eu-waw",
		},
		{
			name:  "regions rule",
			rules: "rules:\n  - {kind: regions, hub: eu-waw, serve: [PL, CZ]}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonOutsideRegions},
		},
		{
			name:  "max_distance_km from the country's centre",
			rules: "rules:\n  - {kind: max_distance_km, km: 500}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonTooFar},
		},
		{
			name:  "max_distance_km from the order's own point (Görlitz)",
			rules: "rules:\n  - {kind: max_distance_km, km: 500}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: Destination{Country: "DE", Lat: f64(51.15), Lon: f64(14.99)}},
			want:  "eu-waw",
		},
		{
			name:  "SLA rule rejects the slow backstop",
			rules: "rules:\n  - {kind: sla, max_hours: 96}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": {amber: 1}},
			order: Order{Lines: one(amber, 1), Destination: to("US")},
			want:  "error:no_fulfilment_node", reasons: map[string]string{"central": ReasonSLA, "us-east": ReasonBelowMin},
		},
		{
			name:  "soft SLA only penalises",
			rules: "rules:\n  - {kind: sla, max_hours: 96, soft: true}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": {amber: 1}},
			order: Order{Lines: one(amber, 1), Destination: to("US")},
			want:  "central",
		},
		{
			name:  "SLA rule turns a preferred slow hub down",
			hubs:  []string{strings.Replace(berlinHub, "[inpost, dhl-eu]", "[dhl-eu]", 1)},
			rules: "rules:\n  - {kind: prefer, hubs: [eu-ber]}\n  - {kind: sla, max_hours: 48}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "eu-ber": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "eu-waw", reasons: map[string]string{"eu-ber": ReasonSLA},
		},
		{
			name:  "cost weighting makes the farther hub win",
			hubs:  []string{berlinHub},
			rules: "rules:\n  - kind: cost\n    costs: {eu-waw: {EU: 10}, eu-ber: {EU: 2}}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "eu-ber": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "eu-ber",
		},
		{
			name:  "cost weight 0 ignores costs",
			hubs:  []string{berlinHub},
			rules: "weights: {cost: 0}\nrules:\n  - kind: cost\n    costs: {eu-waw: {EU: 10}, eu-ber: {EU: 2}}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "eu-ber": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "eu-waw",
		},
		{
			name:  "central competing on score: faster hub wins without costs",
			rules: "central_rank: scored\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("GB")},
			want:  "eu-waw",
		},
		{
			name:  "central competing on score: cost makes central win",
			rules: "central_rank: scored\nrules:\n  - kind: cost\n    costs: {eu-waw: {GB: 40}, central: {GB: 5}}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("GB")},
			want:  "central",
		},
		{
			name:  "prefer puts central first",
			rules: "rules:\n  - {kind: prefer, hubs: [central]}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "central",
		},
		{
			name:  "the last applicable setting wins",
			rules: "rules:\n  - {kind: prefer, hubs: [central]}\n  - {kind: prefer, hubs: [eu-waw], when: 'destination.country == \"DE\"'}\n",
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "eu-waw",
		},
		{
			name:  "equal candidates: lower hub id wins",
			hubs:  []string{strings.NewReplacer("eu-ber", "eu-waa", "52.52", "52.23", "13.40", "21.01", "Europe/Berlin", "Europe/Warsaw").Replace(berlinHub)},
			stock: map[string]map[string]int{"eu-waw": plenty, "eu-waa": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "eu-waa",
		},
		{
			name:  "two lines, no node holds both, no max_splits: no node",
			rules: central0,
			stock: map[string]map[string]int{"eu-waw": {amber: 5}, "central": {rose: 5}, "us-east": plenty},
			order: Order{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE")},
			want:  "error:no_fulfilment_node", reasons: map[string]string{"eu-waw": ReasonPartial, "central": ReasonPartial},
		},
		{
			name:  "two lines split across two nodes when max_splits allows",
			rules: central0 + "rules:\n  - {kind: max_splits, splits: 1}\n",
			stock: map[string]map[string]int{"eu-waw": {amber: 5}, "central": {rose: 5}, "us-east": plenty},
			order: Order{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE")},
			want:  "eu-waw[amber-oud-50ml]+central[rose-absolute-30ml]",
		},
		{
			name:  "two lines: one node holding both beats a split",
			rules: central0 + "rules:\n  - {kind: max_splits, splits: 1}\n",
			stock: map[string]map[string]int{"eu-waw": {amber: 5}, "central": {amber: 1, rose: 5}, "us-east": plenty},
			order: Order{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonPartial},
		},
		{
			name:  "two lines: unlimited central ships both in one parcel",
			rules: "rules:\n  - {kind: max_splits, splits: 1}\n",
			stock: map[string]map[string]int{"eu-waw": {amber: 5}, "us-east": plenty},
			order: Order{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE")},
			want:  "central",
		},
		{
			name:  "two lines of the same SKU are added up",
			stock: map[string]map[string]int{"eu-waw": {amber: 2}, "us-east": plenty},
			order: Order{Lines: []Line{{amber, 1}, {amber, 2}}, Destination: to("DE")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonOutOfStock},
		},
		{
			name:  "out of stock everywhere",
			rules: central0,
			stock: map[string]map[string]int{"eu-waw": {amber: 0}, "us-east": {}, "central": {rose: 3}},
			order: Order{Lines: one(amber, 1), Destination: to("DE")},
			want:  "error:no_fulfilment_node",
			reasons: map[string]string{
				"eu-waw": ReasonOutOfStock, "us-east": ReasonNoCarrier, "central": ReasonOutOfStock,
			},
		},
		{
			name:  "a hub without inventory data is skipped",
			stock: map[string]map[string]int{"us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to("PL")},
			want:  "central", reasons: map[string]string{"eu-waw": ReasonNoInventory},
		},
	}
	whenDEAT := "rules:\n  - kind: prefer\n    hubs: [central]\n    when: order.total > 100 && destination.country in [\"DE\", \"AT\"]\n"
	for _, c := range []struct {
		country string
		total   float64
		want    string
	}{
		{"DE", 150, "central"}, {"AT", 100.01, "central"}, {"DE", 100, "eu-waw"},
		{"DE", 50, "eu-waw"}, {"FR", 150, "eu-waw"}, {"PL", 500, "eu-waw"},
	} {
		tests = append(tests, struct {
			name    string
			hubs    []string
			rules   string
			stock   map[string]map[string]int
			order   Order
			want    string
			reasons map[string]string
		}{
			name:  "when: DE/AT over 100: " + c.country + " " + strconv.FormatFloat(c.total, 'f', -1, 64),
			rules: whenDEAT,
			stock: map[string]map[string]int{"eu-waw": plenty, "us-east": plenty},
			order: Order{Lines: one(amber, 1), Destination: to(c.country), Total: c.total},
			want:  c.want,
		})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := demoCatalog(t, tt.hubs...)
			rs, err := DefaultRules(cat)
			if tt.rules != "" {
				rs, err = ParseRules("test.yaml", []byte(tt.rules), cat)
			}
			if err != nil {
				t.Fatal(err)
			}
			e := newEngine(t, rs, stocked(asOf, tt.stock), now)
			d, err := e.Decide(context.Background(), tt.order)
			if got := Outcome(d, err); got != tt.want {
				t.Fatalf("outcome = %s, want %s (err %v)", got, tt.want, err)
			}
			var alts []Alternative
			if err != nil {
				alts = asNoNode(t, err).Candidates
			} else {
				alts = d.Alternatives
				if len(alts) != len(rs.nodes)-max(1, len(d.Shipments)) {
					t.Errorf("%d alternatives, want every other node (%d)", len(alts), len(rs.nodes)-1)
				}
			}
			for node, reason := range tt.reasons {
				a, ok := alt(alts, node)
				if !ok {
					t.Errorf("%s missing from alternatives %+v", node, alts)
					continue
				}
				if a.Reason != reason {
					t.Errorf("%s: reason %q (%s: %s), want %q", node, a.Reason, a.Rule, a.Detail, reason)
				}
				if reason == "" && a.Score == nil {
					t.Errorf("%s: eligible alternative without a score", node)
				}
			}
		})
	}
}

// TestDecisionContents checks what a decision says besides the node.
func TestDecisionContents(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "version: v7\nrules:\n  - {kind: exclude, name: dock-flood, hub: us-east, reason: flooded dock}\n")
	inv := stocked(now.Add(-5*time.Second), map[string]map[string]int{"eu-waw": {amber: 4}, "us-east": {amber: 4}})
	e := newEngine(t, rs, inv, now)

	d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("pl"), Locale: "en-US"})
	if err != nil {
		t.Fatal(err)
	}
	if d.RulesVersion != "v7" || d.Locale != "en-US" || d.Region != "EU" {
		t.Errorf("version/locale/region = %s/%s/%s", d.RulesVersion, d.Locale, d.Region)
	}
	if want := (Node{ID: "eu-waw", Name: "EU hub", Region: "EU", Kind: "hub"}); d.Node != want {
		t.Errorf("node = %+v, want %+v", d.Node, want)
	}
	if want := "Ships from EU hub — 24–48h in region"; d.Badge != want || d.BadgeStale {
		t.Errorf("badge = %q (stale %v), want %q", d.Badge, d.BadgeStale, want)
	}
	if d.Carriers.Primary.ID != "inpost" || len(d.Carriers.Fallbacks) != 1 || d.Carriers.Fallbacks[0].ID != "dhl-eu" {
		t.Errorf("carriers = %+v, want inpost then dhl-eu", d.Carriers)
	}
	if d.InventoryAgeS != 5 {
		t.Errorf("inventory_age_s = %v, want 5", d.InventoryAgeS)
	}
	if d.DistanceKM < 50 || d.DistanceKM > 200 {
		t.Errorf("distance_km = %d, want Warsaw to Poland's centre (~110)", d.DistanceKM)
	}
	us, _ := alt(d.Alternatives, "us-east")
	if us.Rule != "dock-flood" || us.Reason != ReasonExcluded || us.Detail != "flooded dock" {
		t.Errorf("us-east alternative = %+v, want rejected by dock-flood", us)
	}
	if c, _ := alt(d.Alternatives, "central"); c.Score == nil || *c.Score <= d.Score {
		t.Errorf("central alternative = %+v, want a score worse than the winner's %v", c, d.Score)
	}
	if len(d.DecisionID) != 26 {
		t.Errorf("decision_id %q is not 26 characters", d.DecisionID)
	}
	d2, _ := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("PL")})
	if d2.DecisionID == d.DecisionID || d2.DecisionID[:10] != d.DecisionID[:10] {
		t.Errorf("ids %s, %s: want unique, same time prefix", d.DecisionID, d2.DecisionID)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Errorf("marshal decision: %v", err)
	}

	// Locales: resolved like the catalog does; stale data softens the badge.
	for _, tc := range []struct {
		locale string
		age    time.Duration
		want   string
	}{
		{"pl-PL", 5 * time.Second, "Wysyłka z magazynu w UE — 24–48 godz. w regionie"},
		{"de-AT", 5 * time.Second, "Versand aus dem EU-Lager — 24–48 Std. in der Region"},
		{"xx", 5 * time.Second, "Ships from EU hub — 24–48h in region"},
		{"en-US", 45 * time.Second, "Usually ships from EU hub — about 24–48h"},
		{"de-DE", 9 * time.Minute, "Versand meist aus dem EU-Lager — etwa 24–48 Std."},
	} {
		inv := stocked(now.Add(-tc.age), map[string]map[string]int{"eu-waw": {amber: 4}})
		e := newEngine(t, rs, inv, now)
		d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("PL"), Locale: tc.locale})
		if err != nil {
			t.Fatal(err)
		}
		if d.Badge != tc.want || d.BadgeStale != (tc.age > 30*time.Second) {
			t.Errorf("%s, data %s old: badge %q (stale %v), want %q", tc.locale, tc.age, d.Badge, d.BadgeStale, tc.want)
		}
	}

	// Data older than the hard limit: the hub is skipped.
	inv = stocked(now.Add(-11*time.Minute), map[string]map[string]int{"eu-waw": {amber: 4}})
	d, err = newEngine(t, rs, inv, now).Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("PL")})
	if err != nil || d.Node.ID != "central" {
		t.Fatalf("11 min old data: %v %v, want central", Outcome(d, err), err)
	}
	if a, _ := alt(d.Alternatives, "eu-waw"); a.Reason != ReasonStaleInventory {
		t.Errorf("eu-waw = %+v, want %s", a, ReasonStaleInventory)
	}
	if d.InventoryAgeS != 0 || d.BadgeStale {
		t.Errorf("central with unlimited stock: age %v stale %v, want 0 false", d.InventoryAgeS, d.BadgeStale)
	}
}

func TestOrderErrors(t *testing.T) {
	cat := demoCatalog(t)
	rs, _ := DefaultRules(cat)
	e := newEngine(t, rs, NewStaticInventory(), warsaw(2026, 3, 25, 10, 0))
	nan := 100.0
	for _, tc := range []struct {
		order Order
		code  string
		field string
	}{
		{Order{Destination: to("DE")}, "invalid_order", "lines"},
		{Order{Lines: one("nope", 1), Destination: to("DE")}, "unknown_sku", "lines[0].sku"},
		{Order{Lines: one(amber, 0), Destination: to("DE")}, "invalid_order", "lines[0].qty"},
		{Order{Lines: one(amber, 1), Destination: to("Germany")}, "invalid_order", "destination.country"},
		{Order{Lines: one(amber, 1), Destination: Destination{Country: "DE", Lat: &nan}}, "invalid_order", "destination"},
		{Order{Lines: one(amber, 1), Destination: Destination{Country: "DE", Lat: &nan, Lon: &nan}}, "invalid_order", "destination.lat"},
	} {
		_, err := e.Decide(context.Background(), tc.order)
		var oe *OrderError
		if !errors.As(err, &oe) || oe.Code != tc.code || oe.Field != tc.field {
			t.Errorf("%+v: err %v, want %s on %s", tc.order, err, tc.code, tc.field)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Decide(ctx, Order{Lines: one(amber, 1), Destination: to("DE")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// A condition that fails at run time skips its rule and says so; the
// decision still stands.
func TestWhenRuntimeError(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "rules:\n  - {kind: prefer, name: third-sku, hubs: [central], when: 'order.skus[2] == \"x\"'}\n")
	e := newEngine(t, rs, stocked(now, map[string]map[string]int{"eu-waw": {amber: 5}}), now)
	d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("PL")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Node.ID != "eu-waw" || len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0], "third-sku: when: ") {
		t.Errorf("node %s warnings %q: want eu-waw and one warning naming third-sku", d.Node.ID, d.Warnings)
	}
}

func TestNoNodeErrorMessage(t *testing.T) {
	err := &NoNodeError{Candidates: []Alternative{{Node: &Node{ID: "eu-waw"}, Reason: ReasonOutOfStock, Detail: "holds 0 of x, 1 ordered"}}}
	if want := "routing: no fulfilment node can ship the order: eu-waw out_of_stock (holds 0 of x, 1 ordered)"; err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
	if err.Code() != "no_fulfilment_node" {
		t.Errorf("Code() = %q", err.Code())
	}
}
