package stocking_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

func demoRules(t *testing.T) *routing.RuleSet {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cat, err := catalog.Parse("demo/catalog.yaml", read("demo/catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := routing.ParseRules("demo/rules/active.yaml", read("demo/rules/active.yaml"), cat)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// The generator's promise table is the routing engine's own promise for
// the demo catalog: RoutingPromise over the demo rules gives the same
// hours for every hub, region and country the generated orders use.
func TestRoutingPromiseIsTheTable(t *testing.T) {
	rs := demoRules(t)
	if got := rs.CentralNodes(); len(got) != 1 || got[0] != "central" {
		t.Errorf("central nodes of the demo catalog: %v, want [central]", got)
	}
	if h, ok := rs.PromiseHours("central", "DE", "EU"); !ok || h != 24+72 {
		t.Errorf("central to DE: %d h (%v), want 1 handling day + DHL Parcel Europe's 72 h", h, ok)
	}
	engine := stocking.RoutingPromise(rs)
	table := stockingtest.Promise()
	for region, countries := range map[string][]string{"EU": {"PL", "DE", "FR", "NL"}, "US": {"US", "CA"}, "GB": {"GB"}, "APAC": {"JP", "AU"}} {
		for _, cc := range countries {
			want, wantOK := table.FallbackHours(cc, region)
			got, gotOK := engine.FallbackHours(cc, region)
			if got != want || gotOK != wantOK {
				t.Errorf("fallback to %s/%s: engine %v (%v), table %v (%v)", region, cc, got, gotOK, want, wantOK)
			}
			for _, hub := range []string{"eu-waw", "us-east"} {
				want, wantOK := table.HubHours(hub, cc, region)
				got, gotOK := engine.HubHours(hub, cc, region)
				if got != want || gotOK != wantOK {
					t.Errorf("%s to %s/%s: engine %v (%v), table %v (%v)", hub, region, cc, got, gotOK, want, wantOK)
				}
			}
		}
	}
	if _, ok := engine.HubHours("nowhere", "PL", "EU"); ok {
		t.Error("an unknown hub has a promise")
	}
}
