package routing

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// How a decision is made (the invariants the tests pin down):
//
//  1. Rules are applied in file order; those whose `when:` is false (or
//     whose `until:` has passed) are skipped. Filters (exclude, regions,
//     max_distance_km) reject nodes, the first rejection is the one
//     reported. Settings (min_inventory per node, prefer, sla, max_splits,
//     cost per node and destination) take the last applicable rule's value,
//     so later rules refine earlier ones.
//  2. Every surviving node needs a carrier for the destination, a promise
//     within a hard SLA, fresh inventory data, and for each line
//     max(qty, min_inventory) units (kind hub: 2 unless a rule says
//     otherwise; central: the quantity, or nothing when its stock is
//     unlimited); data older than StaleAfter adds StaleSafetyStock to
//     min_inventory. Operators' overrides in force apply on top of the
//     inventory: a qty replaces a count, disabled rejects the node (or
//     zeroes one SKU there).
//  3. Eligible nodes are ranked by (prefer rank, central last unless
//     central_rank: scored, score, distance, id); score = latency weight ×
//     max_hours + cost weight × cost + SLA weight × hours over a soft SLA.
//  4. The best node holding every line ships the order. Only when none
//     does, and max_splits allows, the order is split into the fewest
//     shipments (ties: better-ranked nodes); otherwise *NoNodeError.

// request is one decision's order once checked: what rule conditions and
// the decision itself read.
type request struct {
	lines   []Line // merged by SKU; the scratch's memory
	units   int
	country string // upper-case ISO 3166 alpha-2
	region  string
	loc     *localeInfo
	now     time.Time
}

// inForce are the setting rules that apply to a decision: the last
// applicable rule of each kind wins.
type inForce struct {
	sla, split, prefer *rule
}

// decide is the whole decision for one rule set at one instant; Decide and
// DryRun both use it.
func (e *Engine) decide(rs *RuleSet, o *Order, now time.Time) (*Decision, error) {
	sc, _ := e.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer e.pool.Put(sc)
	sc.reset(len(rs.nodes), len(rs.conds))

	req := request{now: now}
	if err := sc.readOrder(rs, o, &req); err != nil {
		return nil, err
	}
	pol := e.policy(rs)
	sc.placeNodes(rs, o, &req)
	set := sc.applyRules(rs, o, &req)
	// all has a bit per line: a node whose mask is all ships the order alone.
	all := uint64(1)<<uint(len(req.lines)) - 1
	if len(req.lines) == 64 {
		all = ^uint64(0)
	}
	e.screen(rs, sc, &req, &pol, set, all)

	maxShipments := 1
	if set.split != nil {
		maxShipments = set.split.splits + 1
	}
	sc.choose(all, maxShipments)
	if len(sc.chosen) == 0 {
		return nil, e.noNode(rs, sc.st, req.lines, maxShipments)
	}
	return e.build(rs, sc, &req, &pol), nil
}

// readOrder checks the order and merges its lines by SKU (the scratch
// holds them), then places the destination in a country and region.
func (sc *scratch) readOrder(rs *RuleSet, o *Order, req *request) error {
	if len(o.Lines) == 0 {
		return orderErr("lines", "at least one line is required")
	}
	for i, l := range o.Lines {
		if l.Qty < 1 || l.Qty > maxQty {
			return orderErr("lines["+strconv.Itoa(i)+"].qty", "must be within 1..%d, got %d", maxQty, l.Qty)
		}
		if _, ok := rs.cat.SKU(l.SKU); !ok {
			return &OrderError{Code: "unknown_sku", Field: "lines[" + strconv.Itoa(i) + "].sku", Msg: strconv.Quote(l.SKU) + " is not in the catalog"}
		}
		req.units += l.Qty
		merged := false
		for j := range sc.lines {
			if sc.lines[j].SKU == l.SKU {
				sc.lines[j].Qty = min(sc.lines[j].Qty+l.Qty, maxQty)
				merged = true
				break
			}
		}
		if !merged {
			if len(sc.lines) == MaxLines {
				return orderErr("lines", "more than %d distinct SKUs", MaxLines)
			}
			sc.lines = append(sc.lines, l)
		}
	}
	req.lines = sc.lines
	country, ok := upperCountry(o.Destination.Country)
	if !ok {
		return orderErr("destination.country", "%q is not an ISO 3166 alpha-2 country code", o.Destination.Country)
	}
	if err := validPoint(o.Destination); err != nil {
		return err
	}
	req.country, req.region = country, rs.cat.RegionOf(country)
	req.loc = rs.locale(o.Locale)
	return nil
}

// placeNodes resets every node's state with its distance to the
// destination.
func (sc *scratch) placeNodes(rs *RuleSet, o *Order, req *request) {
	dist := rs.distances(o.Destination, req.country, sc.dist)
	for i := range sc.st {
		sc.st[i] = nodeState{dist: -1}
		if dist != nil {
			sc.st[i].dist = dist[i]
		}
		if !rs.nodes[i].central {
			sc.st[i].minUnits = defaultMinUnits
		}
	}
}

// applyRules is step 1: filters reject nodes, settings are recorded per
// node or returned.
func (sc *scratch) applyRules(rs *RuleSet, o *Order, req *request) inForce {
	var set inForce
	st := sc.st
	costCountry, costRegion, costStar := rs.costKey(req.country), rs.costKey(req.region), rs.costKey("*")
	for ri := range rs.rules {
		r := &rs.rules[ri]
		if !sc.applies(rs, r, o, req) {
			continue
		}
		switch r.kind {
		case kMinInventory:
			for _, t := range r.targets {
				st[t].minUnits, st[t].minRule = r.units, r.label
			}
		case kRegions:
			if !r.serve[req.country] && !r.serve[req.region] {
				for _, t := range r.targets {
					st[t].reject(r.label, ReasonOutsideRegions, r.detail)
				}
			}
		case kMaxDistance:
			tooFar(st, r, req.country)
		case kPrefer:
			set.prefer = r
		case kExclude:
			for _, t := range r.targets {
				st[t].reject(r.label, ReasonExcluded, r.detail)
			}
		case kCost:
			for _, t := range r.targets {
				if v, ok := r.costs[t].lookup(costCountry, costRegion, costStar); ok {
					st[t].cost = v
				}
			}
		case kSLA:
			set.sla = r
		case kMaxSplits:
			set.split = r
		}
	}
	return set
}

// tooFar applies a max_distance_km rule.
func tooFar(st []nodeState, r *rule, country string) {
	for _, t := range r.targets {
		switch d := st[t].dist; {
		case st[t].rejected:
		case d < 0:
			st[t].reject(r.label, ReasonTooFar, "the destination cannot be placed (no lat/lon and "+country+" is not in the centroid table)")
		case d > r.km:
			st[t].reject(r.label, ReasonTooFar, r.detail) // the distance itself is in the alternative
		}
	}
}

// screen is steps 2 and 3: every node the rules left needs carriers, a
// promise within a hard SLA and the stock; the rest are scored and ranked.
func (e *Engine) screen(rs *RuleSet, sc *scratch, req *request, pol *policy, set inForce, all uint64) {
	for i := range rs.nodes {
		n, s := &rs.nodes[i], &sc.st[i]
		if s.rejected {
			continue
		}
		cs := n.carriersFor(req.country, req.region)
		if cs == nil {
			s.reject("", ReasonNoCarrier, noCarrierDetail)
			continue
		}
		cs, ok := e.withHealth(cs)
		if !ok {
			s.reject("", ReasonCarriersDown, carriersDownDetail(cs))
			continue
		}
		s.carriers = cs
		s.maxH = n.handlingDays*24 + cs.Primary.MaxHours
		if sla := set.sla; sla != nil && s.maxH > sla.hours {
			if !sla.soft {
				s.reject(sla.label, ReasonSLA, "promises up to "+strconv.Itoa(s.maxH)+" h, the SLA is "+strconv.Itoa(sla.hours)+" h")
				continue
			}
			s.over = s.maxH - sla.hours
		}
		ovr := e.overridesFor(n.ID, req.now)
		if o := ovr.disabledHub(); o != nil {
			s.reject(o.label(), ReasonOverride, o.Reason)
			continue
		}
		if n.central && pol.unlimitedCentral && !ovr.touches() {
			s.mask = all
		} else {
			e.stock(n, s, req.lines, req.now, pol, ovr)
			if s.rejected {
				continue
			}
			if s.mask == 0 {
				s.rejectShort(req.lines)
				continue
			}
		}
		s.score = pol.wLatency*float64(s.maxH) + pol.wCost*s.cost + pol.wSLA*float64(s.over)
		if set.prefer != nil {
			s.rank = set.prefer.rank[i]
		}
		if n.central && pol.centralLast {
			s.tier = 1
		}
		sc.ranked = append(sc.ranked, i)
	}
	slices.SortFunc(sc.ranked, func(a, b int) int { return compareNodes(sc.st, a, b) })
}

// choose is step 4: the best-ranked node holding every line, else the
// fewest shipments max_splits allows; none leaves sc.chosen empty.
func (sc *scratch) choose(all uint64, maxShipments int) {
	chosen := sc.chosen[:0]
	for _, i := range sc.ranked {
		if sc.st[i].mask == all {
			chosen = append(chosen, i)
			break
		}
	}
	if len(chosen) == 0 && maxShipments > 1 {
		chosen = cover(sc.ranked, sc.st, all, maxShipments, chosen)
	}
	sc.chosen = chosen
}

// applies reports whether a rule is in force for this decision. A
// condition is evaluated at most once per decision however many rules
// share it; one that fails at run time skips its rules with a warning.
func (sc *scratch) applies(rs *RuleSet, r *rule, o *Order, req *request) bool {
	if !r.until.IsZero() && !req.now.Before(r.until) {
		return false
	}
	if r.cond < 0 {
		return true
	}
	switch sc.cond[r.cond] {
	case 1:
		return true
	case 2:
		return false
	}
	if !sc.envReady {
		sc.fillEnv(o, req)
	}
	out, err := sc.machine.Run(rs.conds[r.cond], &sc.env)
	b, isBool := out.(bool)
	if err != nil || !isBool {
		msg := "not a boolean"
		if err != nil {
			msg, _, _ = strings.Cut(err.Error(), "\n")
		}
		sc.warnings = append(sc.warnings, r.label+": when: "+msg+" (rule skipped)")
		sc.cond[r.cond] = 2
		return false
	}
	if b {
		sc.cond[r.cond] = 1
	} else {
		sc.cond[r.cond] = 2
	}
	return b
}

// fillEnv builds what conditions see, once per decision and only when a
// rule has a condition.
func (sc *scratch) fillEnv(o *Order, req *request) {
	for _, l := range req.lines {
		sc.skus = append(sc.skus, l.SKU)
	}
	sc.env = Env{
		Order: OrderEnv{
			ID: o.ID, Total: o.Total, Currency: o.Currency, Lines: len(req.lines), Units: req.units,
			SKUs: sc.skus, Locale: req.loc.name,
		},
		Destination: DestinationEnv{Country: req.country, Region: req.region, PostalCode: o.Destination.PostalCode},
		Now:         req.now.UTC(),
	}
	sc.envReady = true
}

// stock checks every line against the node's inventory, with the active
// overrides on top. Past the stale age the node must hold its
// min_inventory plus the safety stock: the count may already be wrong.
func (e *Engine) stock(n *node, s *nodeState, lines []Line, now time.Time, pol *policy, ovr nodeOverrides) {
	unlimited := n.central && pol.unlimitedCentral
	for j := range lines {
		var lv Level
		if unlimited {
			lv = Level{Qty: maxQty, AsOf: now}
		} else {
			var ok bool
			lv, ok = e.inv.Level(n.ID, lines[j].SKU)
			if !ok {
				s.reject("", ReasonNoInventory, "no inventory data for "+n.ID)
				return
			}
		}
		age := max(now.Sub(lv.AsOf), 0)
		s.age = max(s.age, age)
		if age > pol.skipAfter {
			s.reject("", ReasonStaleInventory, "inventory data is "+age.Truncate(time.Second).String()+" old, limit "+pol.skipAfter.String())
			return
		}
		lv.Qty = ovr.qty(lines[j].SKU, lv.Qty)
		minUnits := s.minUnits
		if age > pol.staleAfter {
			minUnits += pol.safetyStock
		}
		need := max(lines[j].Qty, minUnits)
		if lv.Qty >= need {
			s.mask |= 1 << uint(j)
		} else if !s.short {
			s.short, s.shortLine, s.shortHeld, s.shortNeed = true, j, lv.Qty, need
		}
	}
}

// shortfall explains the first line a node cannot ship.
func (s *nodeState) shortfall(lines []Line) (rule, reason, detail string) {
	l := lines[s.shortLine]
	held := strconv.Itoa(s.shortHeld) + " of " + l.SKU
	if s.shortHeld >= l.Qty {
		rule = s.minRule
		detail = "holds " + held + ", min_inventory is " + strconv.Itoa(s.shortNeed)
		if rule == "" {
			detail += " (default)"
		}
		return rule, ReasonBelowMin, detail
	}
	return "", ReasonOutOfStock, "holds " + held + ", " + strconv.Itoa(l.Qty) + " ordered"
}

func (s *nodeState) rejectShort(lines []Line) {
	rule, reason, detail := s.shortfall(lines)
	s.reject(rule, reason, detail)
}
