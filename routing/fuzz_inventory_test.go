package routing_test

import (
	"encoding/json"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/routing"
)

// FuzzInventoryJSON: any inventory/{hub}.json either parses to a snapshot
// with no negative counts that re-encodes and re-parses to itself, or is
// refused with an error; never a panic.
func FuzzInventoryJSON(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzInventoryJSON: the shared, hostile seeds
	for _, seed := range []string{
		`{"seq":1,"as_of":"2026-11-25T10:00:00Z","items":{"amber-oud-50ml":6,"label-mug":0}}`,
		`{"seq":-1,"as_of":"2026-11-25T10:00:00Z","items":{}}`,
		`{"seq":1,"items":{"x":-3}}`,
		`{"seq":1,"as_of":"yesterday","items":{}}`,
		`{"seq":1,"as_of":"2026-11-25T10:00:00Z","items":{},"extra":true}`,
		`{"seq":1,"as_of":"2026-11-25T10:00:00Z","items":{}} {}`,
		`[]`, ``, `null`, `{"seq":1e400}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := routing.ParseSnapshot(data)
		if err != nil {
			if snap != nil {
				t.Fatal("a snapshot and an error")
			}
			return
		}
		for sku, q := range snap.Items {
			if q < 0 {
				t.Fatalf("accepted a negative count for %q", sku)
			}
		}
		again, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		snap2, err := routing.ParseSnapshot(again)
		if err != nil {
			t.Fatalf("re-encoded snapshot %s does not parse: %v", again, err)
		}
		if snap2.Seq != snap.Seq || !snap2.AsOf.Equal(snap.AsOf) || len(snap2.Items) != len(snap.Items) {
			t.Fatalf("round trip changed the snapshot: %+v → %+v", snap, snap2)
		}
	})
}
