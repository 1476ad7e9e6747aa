package stocking

import "github.com/edgeshelf/edgeshelf/routing"

// RoutingPromise adapts the routing engine's active rule set to the
// PromiseModel: hub hours are the hub's promise to the destination, the
// fallback the best central node's (routing ships from central when no hub
// can). Use it as RoutingPromise(engine.Rules()).
func RoutingPromise(rs *routing.RuleSet) PromiseModel { return rulesPromise{rs} }

type rulesPromise struct{ rs *routing.RuleSet }

func (p rulesPromise) HubHours(hub, country, region string) (float64, bool) {
	h, ok := p.rs.PromiseHours(hub, country, region)
	return float64(h), ok
}

func (p rulesPromise) FallbackHours(country, region string) (float64, bool) {
	best, found := 0, false
	for _, id := range p.rs.CentralNodes() {
		if h, ok := p.rs.PromiseHours(id, country, region); ok && (!found || h < best) {
			best, found = h, true
		}
	}
	return float64(best), found
}
