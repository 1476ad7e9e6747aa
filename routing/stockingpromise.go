package routing

// PromiseHours is the promise a decision would show for an order shipped
// from node to a destination (country, its region): handling days plus the
// primary carrier's maximum transit hours, every carrier healthy. ok is
// false for an unknown node or when none of its carriers serves the
// destination. Stocking plans (package stocking) price a hub's stock with
// it, so they use the engine's own promise model rather than a copy.
func (rs *RuleSet) PromiseHours(nodeID, country, region string) (hours int, ok bool) {
	i, found := rs.nodeIdx[nodeID]
	if !found {
		return 0, false
	}
	n := &rs.nodes[i]
	cs := n.carriersFor(country, region)
	if cs == nil || cs.Primary.ID == "" {
		return 0, false
	}
	return n.handlingDays*24 + cs.Primary.MaxHours, true
}

// CentralNodes are the ids of the catalog's central nodes, sorted: where an
// order ships from when no hub can.
func (rs *RuleSet) CentralNodes() []string {
	var ids []string
	for i := range rs.nodes {
		if rs.nodes[i].central {
			ids = append(ids, rs.nodes[i].ID)
		}
	}
	return ids
}
