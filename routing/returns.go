package routing

import (
	"context"
	"strings"
)

// ReturnRequest asks where a buyer sends an item back.
type ReturnRequest struct {
	SKU    string      `json:"sku"`
	From   Destination `json:"from"`
	Reason string      `json:"reason,omitempty"`
}

// ReturnRoute is where a return goes: the nearest hub that takes returns
// and serves the buyer's region, else the central warehouse.
type ReturnRoute struct {
	RulesVersion string `json:"rules_version"`
	Node         Node   `json:"node"`
	// Region is the buyer's region.
	Region     string `json:"from_region"`
	DistanceKM int    `json:"distance_km"`
	// Carrier prints the return label: the node's first carrier serving the
	// buyer's region whose breaker is not open; nil when none does (the
	// shop arranges the pickup by hand).
	Carrier *CarrierOption `json:"label_carrier"`
	// Restock is true when the node stocks the SKU, so the item can go
	// straight back on its shelf.
	Restock bool   `json:"restock"`
	Reason  string `json:"reason,omitempty"`
	// Why explains the choice in a sentence for support staff.
	Why string `json:"why"`
}

// RouteReturn picks the return point for an item. Errors are *OrderError
// (malformed request, unknown SKU) or *NoNodeError when the catalog has
// neither a returns hub serving the region nor a central warehouse.
func (e *Engine) RouteReturn(ctx context.Context, r ReturnRequest) (*ReturnRoute, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rs := e.rules.Load()
	country, err := checkReturn(rs, r)
	if err != nil {
		return nil, err
	}
	region := rs.cat.RegionOf(country)
	dist := rs.distances(r.From, country, nil)
	best, carriers, why := e.returnPoint(rs, country, region, dist)
	if best < 0 {
		return nil, &NoNodeError{RulesVersion: rs.version}
	}
	n := &rs.nodes[best]
	out := &ReturnRoute{
		RulesVersion: rs.version, Node: n.Node, Region: region, DistanceKM: km(distAt(dist, best)),
		Reason: r.Reason, Why: why, Restock: e.restocks(n, r.SKU),
	}
	if carriers != nil && carriers.Primary.ID != "" {
		c := carriers.Primary
		if c.Breaker == "" {
			c.Breaker = BreakerClosed
		}
		c.State = CarrierPrimary
		out.Carrier = &c
	}
	return out, nil
}

// checkReturn checks a return request and returns the buyer's country.
func checkReturn(rs *RuleSet, r ReturnRequest) (string, error) {
	if r.SKU == "" {
		return "", orderErr("sku", "sku is required")
	}
	if _, ok := rs.cat.SKU(r.SKU); !ok {
		return "", &OrderError{Code: "unknown_sku", Field: "sku", Msg: `"` + r.SKU + `" is not in the catalog`}
	}
	if len(r.Reason) > 500 {
		return "", orderErr("reason", "at most 500 bytes")
	}
	country, ok := upperCountry(r.From.Country)
	if !ok {
		return "", orderErr("from.country", "%q is not an ISO 3166 alpha-2 country code", r.From.Country)
	}
	if err := validPoint(r.From); err != nil {
		err.Field = "from" + strings.TrimPrefix(err.Field, "destination")
		return "", err
	}
	return country, nil
}

// returnPoint is the nearest returns hub with a usable carrier for the
// region, else the nearest central warehouse (with whatever carriers it
// has: the shop arranges a pickup by hand when none serves). Ties, or an
// unplaceable buyer, go to the node listed first by id; -1 when there is
// neither.
func (e *Engine) returnPoint(rs *RuleSet, country, region string, dist []float64) (int, *Carriers, string) {
	best, bestCarriers := -1, (*Carriers)(nil)
	var central []int
	for i := range rs.nodes {
		n := &rs.nodes[i]
		if n.central {
			central = append(central, i)
			continue
		}
		if !n.returns {
			continue
		}
		cs, ok := e.withHealth(n.carriersFor(country, region))
		if !ok {
			continue
		}
		if best < 0 || nearer(distAt(dist, i), distAt(dist, best)) {
			best, bestCarriers = i, cs
		}
	}
	if best >= 0 {
		return best, bestCarriers, "nearest hub that takes returns and serves " + region
	}
	for _, i := range central {
		if best < 0 || nearer(distAt(dist, i), distAt(dist, best)) {
			best = i
		}
	}
	if best < 0 {
		return -1, nil, ""
	}
	bestCarriers, _ = e.withHealth(rs.nodes[best].carriersFor(country, region))
	return best, bestCarriers, "no hub that takes returns serves " + region + ": back to the central warehouse"
}

// restocks reports whether the return point stocks the SKU, so the item
// can go straight back on its shelf.
func (e *Engine) restocks(n *node, sku string) bool {
	if n.central && e.cfg.CentralStock == CentralUnlimited {
		return true
	}
	if st, ok := e.inv.(Stocker); ok {
		return st.Stocks(n.ID, sku)
	}
	lv, ok := e.inv.Level(n.ID, sku)
	return ok && lv.Qty > 0
}

// distAt is node i's distance, -1 when the place is unknown.
func distAt(dist []float64, i int) float64 {
	if dist == nil {
		return -1
	}
	return dist[i]
}

// nearer orders distances with unknown (-1) last.
func nearer(a, b float64) bool {
	switch {
	case a < 0:
		return false
	case b < 0:
		return true
	}
	return a < b
}
