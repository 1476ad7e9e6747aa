// Package fromlog reads order history out of the routing decision log:
// every order decision (not product-page lookups) becomes one order line
// per SKU, with the destination's country and region as routing saw them.
// It is its own package so the forecasting code does not depend on the
// store the decision log reads from.
package fromlog

import (
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking"
)

// Lines turns decision records into order lines: the decision id is the
// order id, the decision time the order time. Product-page lookups
// (decisionlog.SourcePage) are promises shown, not orders, and are left
// out, as the expansion report does.
func Lines(recs []decisionlog.Record) []stocking.OrderLine {
	var out []stocking.OrderLine
	for _, r := range recs {
		if r.Source != decisionlog.SourceOrder {
			continue
		}
		for _, l := range r.Lines {
			out = append(out, stocking.OrderLine{
				OrderID: r.DecisionID, Time: r.DecidedAt, SKU: l.SKU, Qty: l.Qty,
				Country: r.Country, Region: r.Region,
			})
		}
	}
	return out
}
