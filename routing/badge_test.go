package routing

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// TestBadgeNamesHubPerLocale: the badge names the hub the way its locale
// says it (the demo catalog's names:), falls back to name where a locale
// has no entry, and a locale resolved from another tag (de-AT → de-DE)
// uses the resolved locale's names.
func TestBadgeNamesHubPerLocale(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "version: v1\n")
	fresh := stocked(now.Add(-5*time.Second), map[string]map[string]int{"eu-waw": {amber: 4}})
	none := stocked(now.Add(-5*time.Second), map[string]map[string]int{"eu-waw": {}})
	stale := stocked(now.Add(-45*time.Second), map[string]map[string]int{"eu-waw": {amber: 4}})
	for _, tc := range []struct {
		locale string
		inv    *StaticInventory
		node   string
		want   string
	}{
		{"de-DE", fresh, "eu-waw", "Versand aus dem EU-Lager — 24–48 Std. in der Region"},
		{"de-AT", fresh, "eu-waw", "Versand aus dem EU-Lager — 24–48 Std. in der Region"},
		{"de-DE", stale, "eu-waw", "Versand meist aus dem EU-Lager — etwa 24–48 Std."},
		{"de-DE", none, "central", "Versand aus dem Zentrallager — 48–96 Std. in der Region"},
		{"fr-FR", fresh, "eu-waw", "Expédié depuis l'entrepôt européen — 24 à 48 h dans la région"},
		{"fr-FR", stale, "eu-waw", "Généralement expédié depuis l'entrepôt européen — environ 24 à 48 h"},
		{"fr-FR", none, "central", "Expédié depuis l'entrepôt central — 48 à 96 h dans la région"},
		{"pl-PL", fresh, "eu-waw", "Wysyłka z magazynu w UE — 24–48 godz. w regionie"},
		{"pl-PL", none, "central", "Wysyłka z magazynu centralnego — 48–96 godz. w regionie"},
		{"ja-JP", fresh, "eu-waw", "EU倉庫から発送 — 地域内24〜48時間"},
		{"ja-JP", none, "central", "中央倉庫から発送 — 地域内48〜96時間"},
		{"en-US", fresh, "eu-waw", "Ships from EU hub — 24–48h in region"},
		{"en-GB", none, "central", "Ships from Central warehouse — 48–96h in region"},
	} {
		e := newEngine(t, rs, tc.inv, now)
		d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("DE"), Locale: tc.locale})
		if err != nil {
			t.Fatalf("%s: %v", tc.locale, err)
		}
		if d.Node.ID != tc.node || d.Badge != tc.want {
			t.Errorf("%s from %s: badge %q, want %q from %s", tc.locale, d.Node.ID, d.Badge, tc.want, tc.node)
		}
		if h, _ := cat.Hub(d.Node.ID); d.Node.Name != h.Name {
			t.Errorf("%s: node name %q: the decision's node keeps the catalog's name", tc.locale, d.Node.Name)
		}
	}
}

// A US buyer is served from US East: its names: entries read naturally too.
func TestBadgeNamesUSHub(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	rs := mustRules(t, demoCatalog(t), "version: v1\n")
	e := newEngine(t, rs, stocked(now.Add(-5*time.Second), map[string]map[string]int{"us-east": {amber: 4}}), now)
	for locale, want := range map[string]string{
		"de-DE": "Versand aus dem US-Lager an der Ostküste — 24–72 Std. in der Region",
		"fr-FR": "Expédié depuis l'entrepôt de la côte Est des États-Unis — 24 à 72 h dans la région",
		"pl-PL": "Wysyłka z magazynu na wschodnim wybrzeżu USA — 24–72 godz. w regionie",
		"ja-JP": "米国東海岸倉庫から発送 — 地域内24〜72時間",
		"en-US": "Ships from US East hub — 24–72h in region",
	} {
		d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("US"), Locale: locale})
		if err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		if d.Node.ID != "us-east" || d.Badge != want {
			t.Errorf("%s from %s: badge %q, want %q", locale, d.Node.ID, d.Badge, want)
		}
	}
}

// A locale without a names: entry for the hub says the hub's name.
func TestBadgeNameFallback(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	src := strings.Replace(demoCatalogYAML, "      pl-PL: magazynu w UE\n", "", 1)
	cat, err := catalog.Parse("demo/catalog.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rs := mustRules(t, cat, "version: v1\n")
	e := newEngine(t, rs, stocked(now.Add(-5*time.Second), map[string]map[string]int{"eu-waw": {amber: 4}}), now)
	d, err := e.Decide(context.Background(), Order{Lines: one(amber, 1), Destination: to("PL"), Locale: "pl-PL"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Wysyłka z EU hub — 24–48 godz. w regionie"; d.Badge != want {
		t.Errorf("badge %q, want %q", d.Badge, want)
	}
}

// TestInventoryAgeWholeSeconds: inventory_age_s is an integer in JSON,
// for the decision and for each shipment of a split order, rounded down.
func TestInventoryAgeWholeSeconds(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	age := 253*24*time.Hour + 18*time.Minute + 48645818736*time.Nanosecond // 21860328.645818736 s
	rs := mustRules(t, cat, "central_stock: inventory\nrules:\n  - {kind: max_splits, splits: 1}\n")
	inv := stocked(now.Add(-age), map[string]map[string]int{"eu-waw": {amber: 5}, "central": {rose: 5}})
	cfg := DefaultConfig()
	cfg.SkipAfter = 365 * 24 * time.Hour // keep year-old counts eligible
	e, err := New(cfg, rs, inv, fixed(now))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(context.Background(), Order{Lines: []Line{{amber, 1}, {rose, 1}}, Destination: to("DE"), Locale: "de-DE"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Age       json.RawMessage `json:"inventory_age_s"`
		Shipments []struct {
			Age json.RawMessage `json:"inventory_age_s"`
		} `json:"shipments"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	const want = "21860328"
	if string(raw.Age) != want || d.InventoryAgeS != 21860328 {
		t.Errorf("inventory_age_s %s (%d), want the integer %s", raw.Age, d.InventoryAgeS, want)
	}
	if len(raw.Shipments) != 2 {
		t.Fatalf("%d shipments, want a split over eu-waw and central: %s", len(raw.Shipments), body)
	}
	for i, sh := range raw.Shipments {
		if string(sh.Age) != want {
			t.Errorf("shipment %d inventory_age_s %s, want the integer %s", i, sh.Age, want)
		}
	}
}
