package routing

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// benchRegions places generated hubs: share of hubs, centre, spread, time
// zone and carriers, roughly like a shop with most of its hubs in Europe.
var benchRegions = []struct {
	name     string
	share    float64
	lat, lon float64
	spread   float64
	tz       string
	carriers string
}{
	{"EU", 0.55, 50, 12, 8, "Europe/Warsaw", "[inpost, dhl-eu]"},
	{"US", 0.30, 39, -90, 10, "America/Chicago", "[ups, usps]"},
	{"APAC", 0.10, 35, 138, 6, "Asia/Tokyo", "[dhl-express]"},
	{"GB", 0.05, 52.5, -1.5, 1.5, "Europe/London", "[dhl-eu, dhl-express]"},
}

// benchCatalog is the demo catalog with its hubs replaced by n generated
// ones plus the central warehouse.
func benchCatalog(tb testing.TB, n int) *catalog.Catalog {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	var hubs strings.Builder
	hubs.WriteString("hubs:\n")
	for i := 0; i < n-1; i++ {
		r := benchRegions[0]
		x, acc := rng.Float64(), 0.0
		for _, br := range benchRegions {
			if acc += br.share; x < acc {
				r = br
				break
			}
		}
		fmt.Fprintf(&hubs, "  - {id: hub-%02d, name: Hub %d, region: %s, country: PL, lat: %.3f, lon: %.3f, tz: %s, cutoff: \"%02d:00\", handling_days: %d, carriers: %s, holidays: [\"2026-12-25\"]}\n",
			i, i, r.name, r.lat+(rng.Float64()-0.5)*r.spread, r.lon+(rng.Float64()-0.5)*r.spread*1.5, r.tz, 12+rng.IntN(6), rng.IntN(2), r.carriers)
	}
	hubs.WriteString("  - {id: central, name: Central warehouse, kind: central, region: EU, country: DE, lat: 50.11, lon: 8.68, tz: Europe/Berlin, cutoff: \"12:00\", handling_days: 1, carriers: [dhl-eu, dhl-express]}\n")
	start := strings.Index(demoCatalogYAML, "\nhubs:\n")
	end := strings.Index(demoCatalogYAML, "\ncarriers:\n")
	src := demoCatalogYAML[:start+1] + hubs.String() + demoCatalogYAML[end:]
	c, err := catalog.Parse("bench.yaml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var benchConds = []string{
	`order.total > 100`,
	`destination.country in ["DE", "AT", "CH"]`,
	`destination.region == "US"`,
	`order.units > 3`,
	`"label-mug" in order.skus`,
	`order.total > 50 && destination.region == "EU"`,
	`destination.country == "GB"`,
	`order.lines > 1`,
	`destination.postal_code startsWith "1"`,
	`order.total < 20`,
}

// benchRules generates n rules over the catalog's hubs, cycling through
// every kind; half carry a condition from a pool of ten.
func benchRules(tb testing.TB, cat *catalog.Catalog, n int) *RuleSet {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	var hubIDs []string
	regionOf := map[string]string{}
	for _, h := range cat.Hubs {
		if h.Kind != catalog.KindCentral {
			hubIDs = append(hubIDs, h.ID)
			regionOf[h.ID] = h.Region
		}
	}
	pick := func(k int) string {
		out := make([]string, k)
		for i := range out {
			out[i] = hubIDs[(rng.IntN(len(hubIDs))+i)%len(hubIDs)]
		}
		return "[" + strings.Join(dedupe(out), ", ") + "]"
	}
	var b strings.Builder
	b.WriteString("version: bench\ncentral_stock: inventory\nrules:\n")
	for i := 0; i < n; i++ {
		when := ""
		if i%2 == 1 {
			when = fmt.Sprintf(", when: '%s'", benchConds[rng.IntN(len(benchConds))])
		}
		hub := hubIDs[rng.IntN(len(hubIDs))]
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "  - {kind: min_inventory, units: %d, hubs: %s%s}\n", 1+rng.IntN(3), pick(5), when)
		case 1:
			fmt.Fprintf(&b, "  - {kind: regions, hub: %s, serve: [%s, GB]%s}\n", hub, regionOf[hub], when)
		case 2:
			fmt.Fprintf(&b, "  - {kind: max_distance_km, km: %d%s}\n", 3000+rng.IntN(3000), when)
		case 3:
			fmt.Fprintf(&b, "  - {kind: prefer, hubs: %s, when: '%s'}\n", pick(3), benchConds[rng.IntN(len(benchConds))])
		case 4:
			fmt.Fprintf(&b, "  - {kind: exclude, hub: %s, reason: maintenance, when: 'order.total < 20'}\n", hub)
		case 5:
			fmt.Fprintf(&b, "  - kind: cost\n    costs: {%s: {EU: %d, US: %d, \"*\": 20}, central: {EU: %d}}\n", hub, 1+rng.IntN(10), 1+rng.IntN(10), 5+rng.IntN(5))
		case 6:
			fmt.Fprintf(&b, "  - {kind: sla, max_hours: %d, soft: %v%s}\n", 120+rng.IntN(100), rng.IntN(2) == 0, when)
		case 7:
			fmt.Fprintf(&b, "  - {kind: max_splits, splits: %d%s}\n", 1+rng.IntN(2), when)
		}
	}
	rs, err := ParseRules("bench.yaml", []byte(b.String()), cat)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

var benchCountries = []string{"PL", "DE", "FR", "AT", "NL", "GB", "US", "CA", "JP", "AU", "IT", "ES", "SE", "CZ", "KR", "IE"}

// benchOrders are varied orders: 1-3 lines, some with a point, every locale.
func benchOrders(cat *catalog.Catalog, n int) []Order {
	rng := rand.New(rand.NewPCG(3, 4))
	locales := sortedKeys(cat.Locales)
	orders := make([]Order, n)
	for i := range orders {
		o := Order{
			Destination: Destination{Country: benchCountries[rng.IntN(len(benchCountries))], PostalCode: fmt.Sprintf("%05d", rng.IntN(99999))},
			Locale:      locales[rng.IntN(len(locales))],
			Total:       float64(10 + rng.IntN(290)),
		}
		if rng.IntN(4) == 0 {
			ll := centroids[o.Destination.Country]
			lat, lon := ll[0]+rng.Float64()-0.5, ll[1]+rng.Float64()-0.5
			o.Destination.Lat, o.Destination.Lon = &lat, &lon
		}
		for j := 0; j <= rng.IntN(3); j++ {
			o.Lines = append(o.Lines, Line{SKU: cat.SKUs[rng.IntN(len(cat.SKUs))].ID, Qty: 1 + rng.IntN(2)})
		}
		orders[i] = o
	}
	return orders
}

func benchInventory(cat *catalog.Catalog, now time.Time) *StaticInventory {
	rng := rand.New(rand.NewPCG(5, 6))
	inv := NewStaticInventory()
	for _, h := range cat.Hubs {
		items := map[string]int{}
		for _, s := range cat.SKUs {
			items[s.ID] = rng.IntN(12)
		}
		inv.Set(h.ID, now.Add(-10*time.Second), items)
	}
	return inv
}

// BenchmarkDecide reports decisions per second for the demo (3 nodes, its
// 8 rules) and a large shop (50 nodes, 200 rules), on one goroutine and on
// all cores.
func BenchmarkDecide(b *testing.B) {
	now := warsaw(2026, 3, 25, 10, 0)
	type setup struct {
		name string
		rs   *RuleSet
	}
	demoSrc, err := os.ReadFile("../demo/rules/active.yaml")
	if err != nil {
		b.Fatal(err)
	}
	demo := demoCatalog(b)
	big := benchCatalog(b, 50)
	for _, s := range []setup{
		{"hubs=3/rules=8", mustRules(b, demo, string(demoSrc))},
		{"hubs=50/rules=200", benchRules(b, big, 200)},
	} {
		cat := s.rs.Catalog()
		orders := benchOrders(cat, 256)
		e := newEngine(b, s.rs, benchInventory(cat, now), now)
		ctx := context.Background()
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			i, failed := 0, 0
			for b.Loop() {
				if _, err := e.Decide(ctx, orders[i&255]); err != nil {
					failed++
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(failed)/float64(b.N), "no_node/op")
		})
		b.Run(s.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					_, _ = e.Decide(ctx, orders[i&255])
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// The benchmark's inputs must exercise the engine, not error out early.
func TestBenchInputs(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := benchCatalog(t, 50)
	rs := benchRules(t, cat, 200)
	if len(rs.nodes) != 50 || rs.Len() != 200 {
		t.Fatalf("%d nodes, %d rules", len(rs.nodes), rs.Len())
	}
	e := newEngine(t, rs, benchInventory(cat, now), now)
	nodes, splits, noNode := map[string]int{}, 0, 0
	for _, o := range benchOrders(cat, 256) {
		d, err := e.Decide(context.Background(), o)
		if err != nil {
			asNoNode(t, err)
			noNode++
			continue
		}
		nodes[d.Node.ID]++
		if len(d.Shipments) > 0 {
			splits++
		}
	}
	t.Logf("%d distinct nodes chosen, %d splits, %d without a node", len(nodes), splits, noNode)
	if len(nodes) < 10 || noNode > 64 {
		t.Errorf("%d distinct nodes, %d orders without a node: the generated shop is degenerate", len(nodes), noNode)
	}
}
