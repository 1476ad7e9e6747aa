package routing

import (
	"context"
	"errors"
	"testing"
	"time"
)

// breakers is a fixed set of carrier breaker states.
type breakers map[string]string

func (b breakers) CarrierState(id string) string {
	if s, ok := b[id]; ok {
		return s
	}
	return BreakerClosed
}

func TestRouteReturn(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	// Berlin is nearer to Germany than Warsaw but takes no returns.
	cat := demoCatalog(t, berlinHub)
	rs, err := DefaultRules(cat)
	if err != nil {
		t.Fatal(err)
	}
	inv := stocked(now, map[string]map[string]int{
		"eu-waw":  {"amber-oud-50ml": 3},
		"eu-ber":  {"amber-oud-50ml": 9, "label-mug": 9},
		"us-east": {"label-mug": 0},
	})
	lat, lon := 40.0, -75.0
	tests := []struct {
		name     string
		req      ReturnRequest
		health   breakers
		node     string
		carrier  string // "" for none
		restock  bool
		errField string
	}{
		{name: "Poland to the EU hub", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "PL"}},
			node: "eu-waw", carrier: "inpost", restock: true},
		{name: "Germany skips the nearer hub without returns", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "de"}},
			node: "eu-waw", carrier: "inpost", restock: true},
		{name: "EU hub does not stock the SKU", req: ReturnRequest{SKU: "label-mug", From: Destination{Country: "FR"}},
			node: "eu-waw", carrier: "inpost", restock: false},
		{name: "GB is served by DHL from the EU hub", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "GB"}},
			node: "eu-waw", carrier: "dhl-eu", restock: true},
		{name: "US hub, a zero count still means it stocks the SKU", req: ReturnRequest{SKU: "label-mug", From: Destination{Country: "US", Lat: &lat, Lon: &lon}},
			node: "us-east", carrier: "ups", restock: true},
		{name: "APAC has no returns hub: central", req: ReturnRequest{SKU: "label-mug", From: Destination{Country: "JP"}, Reason: "wrong size"},
			node: "central", carrier: "dhl-express", restock: true},
		{name: "InPost down: label from DHL", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "PL"}},
			health: breakers{"inpost": BreakerOpen}, node: "eu-waw", carrier: "dhl-eu", restock: true},
		{name: "every EU-hub carrier down: central", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "PL"}},
			health: breakers{"inpost": BreakerOpen, "dhl-eu": BreakerOpen}, node: "central", carrier: "dhl-express", restock: true},
		{name: "country with no carrier at all: central without a label", req: ReturnRequest{SKU: "amber-oud-50ml", From: Destination{Country: "BR"}},
			node: "central", carrier: "", restock: true},
		{name: "unknown SKU", req: ReturnRequest{SKU: "nope", From: Destination{Country: "PL"}}, errField: "sku"},
		{name: "no SKU", req: ReturnRequest{From: Destination{Country: "PL"}}, errField: "sku"},
		{name: "bad country", req: ReturnRequest{SKU: "label-mug", From: Destination{Country: "Poland"}}, errField: "from.country"},
		{name: "lat without lon", req: ReturnRequest{SKU: "label-mug", From: Destination{Country: "US", Lat: &lat}}, errField: "from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, rs, inv, now)
			if tc.health != nil {
				e.SetCarrierHealth(tc.health)
			}
			got, err := e.RouteReturn(context.Background(), tc.req)
			if tc.errField != "" {
				var oe *OrderError
				if !errors.As(err, &oe) || oe.Field != tc.errField {
					t.Fatalf("err = %v, want an OrderError on %s", err, tc.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			carrier := ""
			if got.Carrier != nil {
				carrier = got.Carrier.ID
			}
			if got.Node.ID != tc.node || carrier != tc.carrier || got.Restock != tc.restock {
				t.Errorf("return → %s label %q restock %v, want %s label %q restock %v (%s)",
					got.Node.ID, carrier, got.Restock, tc.node, tc.carrier, tc.restock, got.Why)
			}
			if got.Reason != tc.req.Reason || got.Why == "" {
				t.Errorf("reason %q why %q", got.Reason, got.Why)
			}
		})
	}
}
