package routing

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

// FuzzRules: whatever bytes arrive through PUT /admin/rules, the parser
// neither panics nor returns anything but *ValidationError, and a rule set
// it accepts decides without panicking.
func FuzzRules(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzRules: the shared, hostile seeds
	if demo, err := os.ReadFile("../demo/rules/active.yaml"); err == nil {
		f.Add(string(demo))
	}
	f.Add(baseRules)
	for _, seed := range []string{
		"",
		"version: 7\n",
		"rules: []\n",
		"rules:\n  - kind: [\n",
		"rules:\n  - {kind: prefer, hubs: [central], when: 'order.total > 100 && destination.country in [\"DE\", \"AT\"]'}\n",
		"rules:\n  - {kind: sla, max_hours: 48, soft: true, when: 'now.Hour() > 12'}\n",
		"rules:\n  - {kind: cost, costs: {eu-waw: {EU: 1, \"*\": 2}}}\n",
		"rules:\n  - {kind: exclude, hub: eu-waw, reason: x, until: 2026-01-01T00:00:00Z}\n",
		"rules:\n  - {kind: max_splits, splits: 63}\n  - {kind: min_inventory, units: 1, hubs: [eu-waw]}\n",
		"rules:\n  - &a {kind: regions, hub: eu-waw, serve: [EU]}\n  - *a\n",
		"rules:\n  - !!map {kind: max_distance_km, km: 10}\n",
		"weights: {latency: 1e308, cost: .nan}\n",
		"rules:\n  - kind: prefer\n    hubs: [central]\n    when: |\n      order.skus[9] == \"x\"\n",
		"--- \nrules: []\n...\n",
		"rules:\n  - {kind: sla, max_hours: 9, when: 'map(1..100000, # * #) | len() > 0'}\n",
		"\t- x",
	} {
		f.Add(seed)
	}
	cat := demoCatalog(f)
	now := warsaw(2026, 3, 25, 10, 0)
	inv := stocked(now, map[string]map[string]int{"eu-waw": {amber: 3, rose: 1}, "us-east": {amber: 3}, "central": {rose: 2}})
	orders := []Order{
		{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE"), Total: 150, Locale: "de-AT"},
		{Lines: one(amber, 2), Destination: to("US"), Total: 10},
	}
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := ParseRules("fuzz.yaml", []byte(src), cat)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error %T %v, want *ValidationError with problems", err, err)
			}
			return
		}
		e, err := New(DefaultConfig(), rs, inv, fixed(now))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := e.Decide(ctx, o)
			cancel()
			var nn *NoNodeError
			if err != nil && !errors.As(err, &nn) {
				t.Fatalf("Decide with accepted rules: %v", err)
			}
		}
	})
}
