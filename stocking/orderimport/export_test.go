package orderimport_test

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// The generated year survives a round trip through a Shopify-style export
// and the importer, line for line (times to the second).
func TestWriteCSVRoundTrip(t *testing.T) {
	h := stockingtest.Generate(1, 52)
	var buf bytes.Buffer
	if err := orderimport.WriteCSV(&buf, h.Lines); err != nil {
		t.Fatal(err)
	}
	res, err := orderimport.Parse(&buf, demoRegions(t))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]stocking.OrderLine(nil), h.Lines...)
	for i := range want {
		want[i].Time = want[i].Time.Truncate(time.Second)
	}
	key := func(ls []stocking.OrderLine) func(i, j int) bool {
		return func(i, j int) bool {
			if ls[i].OrderID != ls[j].OrderID {
				return ls[i].OrderID < ls[j].OrderID
			}
			return ls[i].SKU < ls[j].SKU
		}
	}
	sort.Slice(want, key(want))
	got := res.Lines
	sort.Slice(got, key(got))
	if len(got) != len(want) {
		t.Fatalf("%d lines back, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	t.Logf("%d lines in %d rows", len(got), res.Counts.Rows)
}
