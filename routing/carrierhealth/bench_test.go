package carrierhealth_test

import (
	"context"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
)

// BenchmarkDecideWithBreakers: a decision on the demo catalog without and
// with the breakers consulted (every carrier known to the monitor, closed).
func BenchmarkDecideWithBreakers(b *testing.B) {
	cat := demoWithHealth(b, nil)
	m, err := carrierhealth.New(testConfig(), catalog.NewStatic(cat), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	m.Statuses() // creates every breaker
	o := routing.Order{Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 1}}, Destination: routing.Destination{Country: "PL"}}
	for _, withHealth := range []bool{false, true} {
		name := "bare"
		if withHealth {
			name = "breakers"
		}
		b.Run(name, func(b *testing.B) {
			e := engine(b, cat, m)
			if !withHealth {
				e.SetCarrierHealth(nil)
			}
			ctx := context.Background()
			for b.Loop() {
				if _, err := e.Decide(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
