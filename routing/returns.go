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
	if r.SKU == "" {
		return nil, orderErr("sku", "sku is required")
	}
	if _, ok := rs.cat.SKU(r.SKU); !ok {
		return nil, &OrderError{Code: "unknown_sku", Field: "sku", Msg: `"` + r.SKU + `" is not in the catalog`}
	}
	if len(r.Reason) > 500 {
		return nil, orderErr("reason", "at most 500 bytes")
	}
	country, ok := upperCountry(r.From.Country)
	if !ok {
		return nil, orderErr("from.country", "%q is not an ISO 3166 alpha-2 country code", r.From.Country)
	}
	if err := validPoint(r.From); err != nil {
		err.Field = "from" + strings.TrimPrefix(err.Field, "destination")
		return nil, err
	}
	region := rs.cat.RegionOf(country)
	dist := rs.countryDist[country]
	if r.From.Lat != nil {
		p := newPoint(*r.From.Lat, *r.From.Lon)
		dist = make([]float64, len(rs.nodes))
		for i := range rs.nodes {
			dist[i] = distanceKM(p, rs.nodes[i].at)
		}
	}
	distOf := func(i int) float64 {
		if dist == nil {
			return -1
		}
		return dist[i]
	}

	// The nearest returns hub with a usable carrier for the region; ties
	// (or an unplaceable origin) go to the node listed first by id.
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
		if best < 0 || nearer(distOf(i), distOf(best)) {
			best, bestCarriers = i, cs
		}
	}
	why := "nearest hub that takes returns and serves " + region
	if best < 0 {
		for _, i := range central {
			if best < 0 || nearer(distOf(i), distOf(best)) {
				best = i
			}
		}
		if best < 0 {
			return nil, &NoNodeError{RulesVersion: rs.version}
		}
		bestCarriers, _ = e.withHealth(rs.nodes[best].carriersFor(country, region))
		why = "no hub that takes returns serves " + region + ": back to the central warehouse"
	}
	n := &rs.nodes[best]
	out := &ReturnRoute{
		RulesVersion: rs.version, Node: n.Node, Region: region, DistanceKM: km(distOf(best)),
		Reason: r.Reason, Why: why,
	}
	if bestCarriers != nil && bestCarriers.Primary.ID != "" {
		c := bestCarriers.Primary
		if c.Breaker == "" {
			c.Breaker = BreakerClosed
		}
		c.State = CarrierPrimary
		out.Carrier = &c
	}
	if n.central && e.cfg.CentralStock == CentralUnlimited {
		out.Restock = true
	} else if st, ok := e.inv.(Stocker); ok {
		out.Restock = st.Stocks(n.ID, r.SKU)
	} else {
		lv, ok := e.inv.Level(n.ID, r.SKU)
		out.Restock = ok && lv.Qty > 0
	}
	return out, nil
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
