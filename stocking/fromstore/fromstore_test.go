package fromstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// demoStore copies the demo's catalog, originals, rules and inventory.
func demoStore(t *testing.T) store.Blob {
	t.Helper()
	root := filepath.Join("..", "..", "demo")
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel != "catalog.yaml" && !strings.HasPrefix(rel, "originals/") && !strings.HasPrefix(rel, "rules/") && !strings.HasPrefix(rel, "inventory/") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	blob, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// TestLoadCombinesHistoryImportsAndTelemetry: a year of generated history
// imported, one logged order with its delivery, an events file; the
// report plans both demo hubs and measures the logged order's delivery.
func TestLoadCombinesHistoryImportsAndTelemetry(t *testing.T) {
	ctx := context.Background()
	blob := demoStore(t)
	h := stockingtest.Generate(1, 52)
	if _, err := orderimport.Put(ctx, blob, &orderimport.Result{Lines: h.Lines}, "generated", h.Now); err != nil {
		t.Fatal(err)
	}
	decided := h.Now.AddDate(0, 0, -3)
	rec := decisionlog.Record{DecisionID: "d1", DecidedAt: decided, Source: decisionlog.SourceOrder, Country: "PL", Region: "EU", Node: "eu-waw", PromiseMaxHours: 48,
		Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 2}}}
	line, _ := json.Marshal(rec)
	put(t, blob, decisionlog.DecisionsPrefix+decided.Format(time.DateOnly)+"/d1-test.jsonl", string(line)+"\n")
	if _, err := decisionlog.PutDeliveries(ctx, blob, []decisionlog.Delivery{{DecisionID: "d1", DeliveredAt: decided.Add(30 * time.Hour)}}, decided.Add(31*time.Hour)); err != nil {
		t.Fatal(err)
	}
	put(t, blob, "stocking/events.csv", "region,from,to,uplift,name\nEU,2026-12-07,2026-12-20,1.5,Christmas\n")

	cat, err := fromstore.LoadCatalog(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := fromstore.Load(ctx, blob, fromstore.DefaultConfig(), cat, 52, h.Now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	src := rep.Sources
	if src.Imports != 1 || src.ImportedLines != len(h.Lines) || src.LoggedOrders != 1 || src.Events != 1 || src.Deliveries != 1 {
		t.Errorf("sources = %+v", src)
	}
	hubs := map[string]bool{}
	for _, p := range rep.Stocking.Plans {
		hubs[p.Hub] = len(p.Items) > 0
	}
	if !hubs["eu-waw"] || !hubs["us-east"] || len(hubs) != 2 {
		t.Errorf("plans for %v, want eu-waw and us-east with items", hubs)
	}
	if len(rep.Stocking.Series) == 0 || len(rep.Stocking.Series[0].Forecast) != fromstore.DefaultConfig().Stocking.HorizonWeeks {
		t.Errorf("series: %d", len(rep.Stocking.Series))
	}
	var waw *float64
	for _, r := range rep.Delivery.ByHub {
		if r.Hub == "eu-waw" {
			waw = r.OnTimeRate
		}
	}
	if len(rep.Delivery.ByHub) != 2 || rep.Delivery.ByHub[0].Hub != "(imported)" || waw == nil || *waw != 1 {
		t.Errorf("delivery by hub = %+v, want (imported) and eu-waw 100 %% on time", rep.Delivery.ByHub)
	}
}

func TestBadEventsFileIsAnError(t *testing.T) {
	ctx := context.Background()
	blob := demoStore(t)
	put(t, blob, "stocking/events.csv", "region,from,to,uplift\nEU,2026-12-07,2026-12-20,99\n")
	cat, err := fromstore.LoadCatalog(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fromstore.Load(ctx, blob, fromstore.DefaultConfig(), cat, 8, time.Now())
	if err == nil || !strings.Contains(err.Error(), "stocking/events.csv") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want the events file's line 2", err)
	}
}

func put(t *testing.T, blob store.Blob, key, data string) {
	t.Helper()
	if _, err := blob.Put(context.Background(), key, bytes.Clone([]byte(data)), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestReturnsRoundTrip(t *testing.T) {
	ctx := context.Background()
	blob, err := storefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if _, err := fromstore.PutReturns(ctx, blob, []fromstore.Return{{DecisionID: "a", ReturnedAt: day}, {DecisionID: "b", ReturnedAt: day}}, day); err != nil {
		t.Fatal(err)
	}
	if _, err := fromstore.PutReturns(ctx, blob, []fromstore.Return{{DecisionID: "old", ReturnedAt: day}}, day.AddDate(0, 0, -30)); err != nil {
		t.Fatal(err)
	}
	put(t, blob, fromstore.ReturnsPrefix+"2026-03-11/torn.jsonl", "{\"decision_id\":\"c\"}\n{\"decision_\n")
	got, bad, err := fromstore.ReadReturns(ctx, blob, day.AddDate(0, 0, -7), day.AddDate(0, 0, 1))
	if err != nil || bad != 1 || len(got) != 3 || got[0].OrderID != "a" || !got[0].At.Equal(day) {
		t.Errorf("read %+v, %d bad, %v; want a, b and c (old is before the window), 1 bad line", got, bad, err)
	}
}
