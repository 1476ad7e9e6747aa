package routing

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

func TestStaticInventory(t *testing.T) {
	asOf := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	inv := NewStaticInventory()
	if _, ok := inv.Level("eu-waw", amber); ok {
		t.Error("empty inventory has data")
	}
	items := map[string]int{amber: 3}
	inv.Set("eu-waw", asOf, items)
	items[amber] = 99 // Set copies
	if l, ok := inv.Level("eu-waw", amber); !ok || l.Qty != 3 || !l.AsOf.Equal(asOf) {
		t.Errorf("Level = %+v, %v", l, ok)
	}
	if l, ok := inv.Level("eu-waw", rose); !ok || l.Qty != 0 {
		t.Errorf("unlisted SKU = %+v, %v; want 0 units with data", l, ok)
	}
	inv.Remove("eu-waw")
	if _, ok := inv.Level("eu-waw", amber); ok {
		t.Error("removed hub still has data")
	}
}

func TestStoreInventory(t *testing.T) {
	ctx := context.Background()
	blob := newMemBlob()
	put := func(key, body string) {
		t.Helper()
		if _, err := blob.Put(ctx, key, []byte(body), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	put("inventory/eu-waw.json", `{"seq": 3, "as_of": "2026-03-25T09:00:00Z", "items": {"amber-oud-50ml": 4}}`)
	put("inventory/us-east.json", `{"seq": 1, "as_of": "2026-03-25T08:59:00Z", "items": {}}`)
	put("inventory/README.md", "not a snapshot")
	inv := NewStoreInventory(blob)

	n, err := inv.Refresh(ctx)
	if err != nil || n != 2 {
		t.Fatalf("first Refresh = %d, %v; want 2 hubs", n, err)
	}
	if l, ok := inv.Level("eu-waw", amber); !ok || l.Qty != 4 || l.AsOf.Format(time.RFC3339) != "2026-03-25T09:00:00Z" {
		t.Errorf("eu-waw amber = %+v, %v", l, ok)
	}
	if n, err := inv.Refresh(ctx); err != nil || n != 0 {
		t.Errorf("unchanged Refresh = %d, %v; want nothing loaded", n, err)
	}

	// A broken snapshot keeps the last good one; others still load.
	put("inventory/eu-waw.json", `{"seq": 4, "as_of": "2026-03-25T09:01:00Z", "items": {"amber-oud-50ml": -1}}`)
	put("inventory/us-east.json", `{"seq": 2, "as_of": "2026-03-25T09:01:00Z", "items": {"amber-oud-50ml": 7}}`)
	n, err = inv.Refresh(ctx)
	if n != 1 || err == nil || !strings.Contains(err.Error(), "inventory/eu-waw.json") || !strings.Contains(err.Error(), "negative") {
		t.Errorf("Refresh with a broken eu-waw = %d, %v", n, err)
	}
	if l, _ := inv.Level("eu-waw", amber); l.Qty != 4 {
		t.Errorf("eu-waw after a broken snapshot = %+v, want the last good 4", l)
	}
	if l, _ := inv.Level("us-east", amber); l.Qty != 7 {
		t.Errorf("us-east = %+v, want 7", l)
	}

	// A late write (lower seq) is ignored.
	put("inventory/us-east.json", `{"seq": 1, "as_of": "2026-03-25T09:02:00Z", "items": {"amber-oud-50ml": 1}}`)
	if _, err := inv.Refresh(ctx); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("late write: %v", err)
	}
	if snap, _ := inv.Snapshot("us-east"); snap.Seq != 2 {
		t.Errorf("us-east seq %d after a late write, want 2", snap.Seq)
	}

	// A deleted snapshot means no data for the hub.
	_ = blob.Delete(ctx, "inventory/us-east.json")
	if n, _ := inv.Refresh(ctx); n != 1 {
		t.Errorf("Refresh after delete = %d, want 1 change", n)
	}
	if _, ok := inv.Level("us-east", amber); ok {
		t.Error("deleted hub still has data")
	}
}

func TestParseSnapshot(t *testing.T) {
	for _, tc := range []struct {
		body string
		err  string
	}{
		{`{"seq": 1, "as_of": "2026-03-25T09:00:00Z", "items": {"a": 1}}`, ""},
		{`{"seq": 1, "as_of": "2026-03-25T09:00:00Z", "items": {"a": 1}, "hub": "x"}`, "unknown field"},
		{`{"seq": 1, "items": {"a": 1}}`, "as_of is required"},
		{`{"seq": 1, "as_of": "2026-03-25T09:00:00Z"}`, "items is required"},
		{`{"seq": -1, "as_of": "2026-03-25T09:00:00Z", "items": {}}`, "seq must not be negative"},
		{`{"seq": 1, "as_of": "yesterday", "items": {}}`, `parsing time "yesterday"`},
		{`{"seq": 1, "as_of": "2026-03-25T09:00:00Z", "items": {}} {}`, "trailing data"},
		{`[]`, "cannot unmarshal"},
	} {
		_, err := ParseSnapshot([]byte(tc.body))
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseSnapshot(%s) = %v, want %q", tc.body, err, tc.err)
		}
	}
}

// The engine reads a StoreInventory like any other.
func TestEngineWithStoreInventory(t *testing.T) {
	ctx := context.Background()
	blob := newMemBlob()
	now := time.Date(2026, 3, 25, 9, 0, 10, 0, time.UTC)
	_, _ = blob.Put(ctx, "inventory/eu-waw.json", []byte(`{"seq": 1, "as_of": "2026-03-25T09:00:00Z", "items": {"amber-oud-50ml": 2}}`), store.PutOptions{})
	inv := NewStoreInventory(blob)
	if _, err := inv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	rs, _ := DefaultRules(demoCatalog(t))
	d, err := newEngine(t, rs, inv, now).Decide(ctx, Order{Lines: one(amber, 1), Destination: to("PL")})
	if err != nil || d.Node.ID != "eu-waw" || d.InventoryAgeS != 10 {
		t.Errorf("decision %v %v age %v", Outcome(d, err), err, d.InventoryAgeS)
	}
	listErr := &failingList{memBlob: blob}
	if _, err := NewStoreInventory(listErr).Refresh(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Refresh with a failing store: %v", err)
	}
}

type failingList struct{ *memBlob }

func (f *failingList) List(context.Context, string) ([]store.Info, error) {
	return nil, store.ErrUnavailable
}
