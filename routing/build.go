package routing

import (
	"math"
	"slices"
	"strconv"
	"time"
)

func km(d float64) int {
	if d < 0 {
		return -1
	}
	return int(math.Round(d))
}

// noNode explains every node, in id order.
func (e *Engine) noNode(rs *RuleSet, st []nodeState, lines []Line, maxShipments int) *NoNodeError {
	err := &NoNodeError{RulesVersion: rs.version, Candidates: make([]Alternative, len(rs.nodes))}
	for i := range rs.nodes {
		s := &st[i]
		a := Alternative{Node: &rs.nodes[i].Node, DistanceKM: km(s.dist), Rule: s.rule, Reason: s.reason, Detail: s.detail, MaxHours: s.maxH}
		if !s.rejected {
			_, _, why := s.shortfall(lines)
			a.Reason = ReasonPartial
			a.Detail = "ships " + strconv.Itoa(popcount(s.mask)) + " of " + strconv.Itoa(len(lines)) + " lines (" + why + "); "
			if maxShipments == 1 {
				a.Detail += "the order may not be split (no max_splits rule allows it)"
			} else {
				a.Detail += "no " + strconv.Itoa(maxShipments) + " or fewer shipments cover the order"
			}
		}
		err.Candidates[i] = a
	}
	return err
}

// build turns the chosen node(s) into a Decision.
func (e *Engine) build(rs *RuleSet, sc *scratch, req *request, pol *policy) *Decision {
	st, chosen, now, loc := sc.st, sc.chosen, req.now, req.loc
	first := &rs.nodes[chosen[0]]
	fs := &st[chosen[0]]
	buyer := loc.loc
	d := &Decision{
		DecisionID:   e.ids.next(now),
		RulesVersion: rs.version,
		DecidedAt:    now.UTC(),
		Locale:       loc.name,
		Region:       req.region,
		Node:         first.Node,
		Carriers:     *fs.carriers,
		Score:        fs.score,
		DistanceKM:   km(fs.dist),
	}
	if len(sc.warnings) > 0 {
		d.Warnings = slices.Clone(sc.warnings)
	}
	age := fs.age
	if len(chosen) == 1 {
		d.Promise = first.promise(now, fs.carriers.Primary, buyer)
	} else {
		age = ship(rs, sc, req, pol, d)
	}
	d.InventoryAgeS = wholeSeconds(age)
	d.BadgeStale = age > pol.staleAfter
	tmpl := loc.badge
	if d.BadgeStale {
		tmpl = loc.stale
	}
	d.Badge = tmpl.render(loc.hubName(chosen[0], first.Name), first.Region, d.Promise.MinHours, d.Promise.MaxHours)
	d.Alternatives = alternatives(rs, sc, req.lines)
	return d
}

// ship splits the order into one shipment per chosen node, each line
// going to the first (best-ranked) node that holds it, and widens the
// decision's promise to the whole order's. It returns the age of the
// oldest inventory figure the shipments rely on.
func ship(rs *RuleSet, sc *scratch, req *request, pol *policy, d *Decision) time.Duration {
	var age time.Duration
	var assigned uint64
	d.Shipments = make([]Shipment, len(sc.chosen))
	for k, i := range sc.chosen {
		n, s := &rs.nodes[i], &sc.st[i]
		sh := &d.Shipments[k]
		*sh = Shipment{Node: n.Node, Carriers: *s.carriers, Promise: n.promise(req.now, s.carriers.Primary, req.loc.loc),
			InventoryAgeS: wholeSeconds(s.age), BadgeStale: s.age > pol.staleAfter, DistanceKM: km(s.dist)}
		for j := range req.lines {
			if bit := uint64(1) << uint(j); s.mask&bit != 0 && assigned&bit == 0 {
				sh.Lines = append(sh.Lines, req.lines[j])
				assigned |= bit
			}
		}
		age = max(age, s.age)
		d.Promise = mergePromise(d.Promise, sh.Promise, k == 0)
	}
	return age
}

// wholeSeconds is an inventory age as decisions report it: whole seconds,
// rounded down like the inventory_too_old detail, because a feed's counts
// are stamped to the second and a fraction is noise that clients had to
// round themselves.
func wholeSeconds(d time.Duration) int64 { return int64(d / time.Second) }

// mergePromise widens a split order's promise to cover a shipment: the
// order is complete when its last parcel arrives, and the earliest cut-off
// is the one that must be met.
func mergePromise(acc, p Promise, first bool) Promise {
	if first {
		return p
	}
	acc.MinHours = max(acc.MinHours, p.MinHours)
	acc.MaxHours = max(acc.MaxHours, p.MaxHours)
	if p.OrderBy.Before(acc.OrderBy) {
		acc.OrderBy = p.OrderBy
	}
	acc.ShipsOn = max(acc.ShipsOn, p.ShipsOn)
	acc.EarliestDelivery = max(acc.EarliestDelivery, p.EarliestDelivery)
	acc.LatestDelivery = max(acc.LatestDelivery, p.LatestDelivery)
	return acc
}

// alternatives lists the nodes not chosen: eligible ones by rank with
// their score, then rejected ones by id.
func alternatives(rs *RuleSet, sc *scratch, lines []Line) []Alternative {
	st := sc.st
	out := make([]Alternative, 0, len(rs.nodes)-len(sc.chosen))
	scores := make([]float64, 0, len(sc.ranked))
	for _, i := range sc.ranked {
		if slices.Contains(sc.chosen, i) {
			continue
		}
		s := &st[i]
		scores = append(scores, s.score)
		a := Alternative{Node: &rs.nodes[i].Node, Score: &scores[len(scores)-1], MaxHours: s.maxH, DistanceKM: km(s.dist)}
		if s.short {
			a.Rule, _, a.Detail = s.shortfall(lines)
			a.Reason = ReasonPartial
		}
		out = append(out, a)
	}
	for i := range rs.nodes {
		if s := &st[i]; s.rejected {
			out = append(out, Alternative{Node: &rs.nodes[i].Node, MaxHours: s.maxH, DistanceKM: km(s.dist), Rule: s.rule, Reason: s.reason, Detail: s.detail})
		}
	}
	return out
}
