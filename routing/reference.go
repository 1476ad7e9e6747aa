package routing

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// Reference is rules/reference.yaml: orders replayed against a candidate
// rules file before it goes live (PUT /admin/rules shows what changes).
//
//	orders:
//	  - id: de-amber-premium
//	    lines: [{sku: amber-oud-50ml, qty: 1}]
//	    destination: {country: DE, postal_code: "10115"}
//	    locale: de-DE
//	    total: 180
//	    expect: central      # optional: the outcome the rules must keep
//
// expect is an Outcome string: a node id, a split ("eu-waw[a]+central[b]")
// or "error:no_fulfilment_node". It pins behaviour the shop relies on; a
// rules change that breaks it is listed by Unmet.
type Reference struct {
	Orders []ReferenceOrder
}

// ReferenceOrder is an order and, optionally, the outcome it must keep.
type ReferenceOrder struct {
	Order  `yaml:",inline"`
	Expect string `yaml:"expect"`
}

// List returns the orders, for DryRun.
func (r *Reference) List() []Order {
	out := make([]Order, len(r.Orders))
	for i := range r.Orders {
		out[i] = r.Orders[i].Order
	}
	return out
}

// Unmet lists the reference orders whose outcome under the dry-run rules
// differs from their expect. rep must come from DryRun over r.List().
func (r *Reference) Unmet(rep *DryRunReport) []string {
	var out []string
	for i, o := range r.Orders {
		if o.Expect == "" || i >= len(rep.Results) {
			continue
		}
		if got := rep.Results[i].Dry; got != o.Expect {
			out = append(out, fmt.Sprintf("%s: expected %s, got %s", rep.Results[i].Order, o.Expect, got))
		}
	}
	return out
}

// ParseReference parses and checks a reference file. With a catalog, SKUs
// and expected hubs are checked against it.
func ParseReference(source string, data []byte, cat *catalog.Catalog) (*Reference, error) {
	var p problems
	top, err := topMapping(source, data, &p, "orders:")
	if err != nil {
		return nil, err
	}
	ref := &Reference{}
	for _, mv := range top {
		if name := keyName(mv); name != "orders" {
			p.add(mv.Key, name, "unknown field (want orders)")
			continue
		}
		items, ok := sequence(mv.Value)
		if !ok {
			p.add(mv.Value, "orders", "want a list of orders")
			continue
		}
		ids := map[string]int{}
		for i, n := range items {
			if ro, ok := parseReferenceOrder(i, n, cat, &p, ids); ok {
				ref.Orders = append(ref.Orders, ro)
			}
		}
	}
	if len(p.list) > 0 {
		return nil, invalid(source, p.list)
	}
	return ref, nil
}

// parseReferenceOrder decodes and checks orders[i]; ids are the order ids
// seen so far in the file, which must be unique.
func parseReferenceOrder(i int, n ast.Node, cat *catalog.Catalog, p *problems, ids map[string]int) (ReferenceOrder, bool) {
	path := fmt.Sprintf("orders[%d]", i)
	var ro ReferenceOrder
	if err := decodeNode(n, &ro, yaml.Strict()); err != nil {
		p.addDecode(n, path, err)
		return ro, false
	}
	before := len(p.list)
	if ro.ID != "" {
		if prev, dup := ids[ro.ID]; dup {
			p.add(entry(n, "id"), path+".id", "duplicate id %q (orders[%d] has it)", ro.ID, prev)
		}
		ids[ro.ID] = i
	}
	if len(ro.Lines) == 0 {
		p.add(n, path+".lines", "at least one line is required")
	}
	for j, l := range ro.Lines {
		lp := fmt.Sprintf("%s.lines[%d]", path, j)
		if l.Qty < 1 || l.Qty > maxQty {
			p.add(item(entry(n, "lines"), j), lp+".qty", "must be within 1..%d", maxQty)
		}
		if cat != nil {
			if _, ok := cat.SKU(l.SKU); !ok {
				p.add(item(entry(n, "lines"), j), lp+".sku", "unknown SKU %q", l.SKU)
			}
		}
	}
	if _, ok := upperCountry(ro.Destination.Country); !ok {
		p.add(entry(n, "destination"), path+".destination.country", "%q is not an ISO 3166 alpha-2 country code", ro.Destination.Country)
	}
	if err := validPoint(ro.Destination); err != nil {
		p.add(entry(n, "destination"), path+"."+err.Field, "%s", err.Msg)
	}
	// expect names a hub unless it is a split or an error outcome.
	if cat != nil && ro.Expect != "" && !strings.ContainsAny(ro.Expect, "[+:") {
		if _, ok := cat.Hub(ro.Expect); !ok {
			p.add(entry(n, "expect"), path+".expect", "unknown hub %q", ro.Expect)
		}
	}
	return ro, len(p.list) == before
}
