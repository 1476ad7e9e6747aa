package fromlog_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/fromlog"
)

func TestLines(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	recs := []decisionlog.Record{
		{DecisionID: "d1", DecidedAt: at, Source: decisionlog.SourceOrder, Country: "DE", Region: "EU", Node: "eu-waw",
			Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 2}, {SKU: "label-mug", Qty: 1}}},
		{DecisionID: "d2", DecidedAt: at, Source: decisionlog.SourcePage, Country: "US", Region: "US",
			Lines: []routing.Line{{SKU: "label-tee", Qty: 1}}},
	}
	want := []stocking.OrderLine{
		{OrderID: "d1", Time: at, SKU: "amber-oud-50ml", Qty: 2, Country: "DE", Region: "EU"},
		{OrderID: "d1", Time: at, SKU: "label-mug", Qty: 1, Country: "DE", Region: "EU"},
	}
	if got := fromlog.Lines(recs); !reflect.DeepEqual(got, want) {
		t.Errorf("Lines =\n%+v\nwant\n%+v", got, want)
	}
}
