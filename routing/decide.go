package routing

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
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

// scratch is the per-decision working memory, pooled so the hot path
// allocates only what the Decision itself holds.
type scratch struct {
	machine  vm.VM
	env      Env
	envReady bool
	cond     []int8 // per distinct condition: 0 unknown, 1 true, 2 false
	st       []nodeState
	lines    []Line
	skus     []string
	ranked   []int
	dist     []float64
	chosen   []int
	warnings []string
}

type nodeState struct {
	rejected bool
	rule     string
	reason   string
	detail   string
	minUnits int
	minRule  string
	cost     float64
	over     int // hours over a soft SLA
	carriers *Carriers
	maxH     int
	rank     int
	tier     int
	score    float64
	mask     uint64 // lines the node can ship
	age      time.Duration
	dist     float64 // -1 unknown
	// The first line the node falls short on, to explain it.
	short     bool
	shortLine int
	shortHeld int
	shortNeed int
}

func (s *nodeState) reject(rule, reason, detail string) {
	if s.rejected {
		return
	}
	s.rejected, s.rule, s.reason, s.detail = true, rule, reason, detail
}

func (sc *scratch) reset(nodes, conds int) {
	if cap(sc.st) < nodes {
		sc.st = make([]nodeState, nodes)
		sc.dist = make([]float64, nodes)
	}
	sc.st = sc.st[:nodes]
	sc.dist = sc.dist[:nodes]
	if cap(sc.cond) < conds {
		sc.cond = make([]int8, conds)
	}
	sc.cond = sc.cond[:conds]
	clear(sc.cond)
	sc.envReady = false
	sc.lines = sc.lines[:0]
	sc.skus = sc.skus[:0]
	sc.ranked = sc.ranked[:0]
	sc.chosen = sc.chosen[:0]
	sc.warnings = sc.warnings[:0]
}

// policy is the configuration in force for one decision: the rules file's
// overrides over the engine's Config.
type policy struct {
	wLatency, wCost, wSLA float64
	unlimitedCentral      bool
	centralLast           bool
	staleAfter, skipAfter time.Duration
	safetyStock           int // added to min_inventory past staleAfter
}

func (e *Engine) policy(rs *RuleSet) policy {
	p := policy{
		wLatency: e.cfg.WeightLatency, wCost: e.cfg.WeightCost, wSLA: e.cfg.WeightSLA,
		unlimitedCentral: e.cfg.CentralStock == CentralUnlimited,
		centralLast:      rs.centralRank != CentralScored,
		staleAfter:       e.cfg.StaleAfter, skipAfter: e.cfg.SkipAfter,
		safetyStock: e.cfg.StaleSafetyStock,
	}
	if rs.weights.latency != nil {
		p.wLatency = *rs.weights.latency
	}
	if rs.weights.cost != nil {
		p.wCost = *rs.weights.cost
	}
	if rs.weights.sla != nil {
		p.wSLA = *rs.weights.sla
	}
	if rs.centralStock != "" {
		p.unlimitedCentral = rs.centralStock == CentralUnlimited
	}
	return p
}

// noCarrierDetail is constant so rejecting dozens of far-away hubs per
// decision allocates nothing; the region is in the decision.
const noCarrierDetail = "none of the node's carriers has a transit time for the destination"

var noLocale = &localeInfo{badge: compileBadge(fallbackBadge), stale: compileBadge(fallbackBadge)}

func (rs *RuleSet) locale(tag string) *localeInfo {
	if li := rs.locales[tag]; li != nil {
		return li
	}
	if name, _, ok := rs.cat.ResolveLocale(tag); ok {
		if li := rs.locales[name]; li != nil {
			return li
		}
	}
	return noLocale
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

	// The order.
	if len(o.Lines) == 0 {
		return nil, orderErr("lines", "at least one line is required")
	}
	units := 0
	for i, l := range o.Lines {
		if l.Qty < 1 || l.Qty > maxQty {
			return nil, orderErr("lines["+strconv.Itoa(i)+"].qty", "must be within 1..%d, got %d", maxQty, l.Qty)
		}
		if _, ok := rs.cat.SKU(l.SKU); !ok {
			return nil, &OrderError{Code: "unknown_sku", Field: "lines[" + strconv.Itoa(i) + "].sku", Msg: strconv.Quote(l.SKU) + " is not in the catalog"}
		}
		units += l.Qty
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
				return nil, orderErr("lines", "more than %d distinct SKUs", MaxLines)
			}
			sc.lines = append(sc.lines, l)
		}
	}
	lines := sc.lines
	country, ok := upperCountry(o.Destination.Country)
	if !ok {
		return nil, orderErr("destination.country", "%q is not an ISO 3166 alpha-2 country code", o.Destination.Country)
	}
	if err := validPoint(o.Destination); err != nil {
		return nil, err
	}
	region := rs.cat.RegionOf(country)
	loc := rs.locale(o.Locale)
	pol := e.policy(rs)

	// Distances: from the order's point, else the country's centre.
	var dist []float64
	if o.Destination.Lat != nil {
		p := newPoint(*o.Destination.Lat, *o.Destination.Lon)
		for i := range rs.nodes {
			sc.dist[i] = distanceKM(p, rs.nodes[i].at)
		}
		dist = sc.dist
	} else {
		dist = rs.countryDist[country]
	}

	st := sc.st
	for i := range st {
		st[i] = nodeState{dist: -1}
		if dist != nil {
			st[i].dist = dist[i]
		}
		if !rs.nodes[i].central {
			st[i].minUnits = defaultMinUnits
		}
	}

	// 1. Rules, in order.
	var slaRule, splitRule, preferRule *rule
	costCountry, costRegion, costStar := rs.costKey(country), rs.costKey(region), rs.costKey("*")
	for ri := range rs.rules {
		r := &rs.rules[ri]
		if !sc.applies(rs, r, o, lines, units, country, region, loc, now) {
			continue
		}
		switch r.kind {
		case kMinInventory:
			for _, t := range r.targets {
				st[t].minUnits, st[t].minRule = r.units, r.label
			}
		case kRegions:
			if !r.serve[country] && !r.serve[region] {
				for _, t := range r.targets {
					st[t].reject(r.label, ReasonOutsideRegions, r.detail)
				}
			}
		case kMaxDistance:
			for _, t := range r.targets {
				switch d := st[t].dist; {
				case st[t].rejected:
				case d < 0:
					st[t].reject(r.label, ReasonTooFar, "the destination cannot be placed (no lat/lon and "+country+" is not in the centroid table)")
				case d > r.km:
					st[t].reject(r.label, ReasonTooFar, r.detail) // the distance itself is in the alternative
				}
			}
		case kPrefer:
			preferRule = r
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
			slaRule = r
		case kMaxSplits:
			splitRule = r
		}
	}

	// 2. Carriers, SLA, inventory; 3. score.
	all := uint64(1)<<uint(len(lines)) - 1
	if len(lines) == 64 {
		all = ^uint64(0)
	}
	for i := range rs.nodes {
		n, s := &rs.nodes[i], &st[i]
		if s.rejected {
			continue
		}
		cs := n.carriersFor(country, region)
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
		if slaRule != nil && s.maxH > slaRule.hours {
			if !slaRule.soft {
				s.reject(slaRule.label, ReasonSLA, "promises up to "+strconv.Itoa(s.maxH)+" h, the SLA is "+strconv.Itoa(slaRule.hours)+" h")
				continue
			}
			s.over = s.maxH - slaRule.hours
		}
		ovr := e.overridesFor(n.ID, now)
		if o := ovr.disabledHub(); o != nil {
			s.reject(o.label(), ReasonOverride, o.Reason)
			continue
		}
		if n.central && pol.unlimitedCentral && !ovr.touches() {
			s.mask = all
		} else {
			e.stock(n, s, lines, now, &pol, ovr)
			if s.rejected {
				continue
			}
			if s.mask == 0 {
				s.rejectShort(lines)
				continue
			}
		}
		s.score = pol.wLatency*float64(s.maxH) + pol.wCost*s.cost + pol.wSLA*float64(s.over)
		if preferRule != nil {
			s.rank = preferRule.rank[i]
		}
		if n.central && pol.centralLast {
			s.tier = 1
		}
		sc.ranked = append(sc.ranked, i)
	}
	slices.SortFunc(sc.ranked, func(a, b int) int { return compareNodes(st, a, b) })

	// 4. One node, else a split, else no node.
	chosen := sc.chosen[:0]
	for _, i := range sc.ranked {
		if st[i].mask == all {
			chosen = append(chosen, i)
			break
		}
	}
	maxShipments := 1
	if splitRule != nil {
		maxShipments = splitRule.splits + 1
	}
	if len(chosen) == 0 && maxShipments > 1 {
		chosen = cover(sc.ranked, st, all, maxShipments, chosen)
	}
	sc.chosen = chosen
	if len(chosen) == 0 {
		return nil, e.noNode(rs, st, lines, maxShipments)
	}
	return e.build(rs, sc, o, lines, country, region, loc, pol, now), nil
}

// applies reports whether a rule is in force for this decision. A
// condition is evaluated at most once per decision however many rules
// share it; one that fails at run time skips its rules with a warning.
func (sc *scratch) applies(rs *RuleSet, r *rule, o *Order, lines []Line, units int, country, region string, loc *localeInfo, now time.Time) bool {
	if !r.until.IsZero() && !now.Before(r.until) {
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
		for _, l := range lines {
			sc.skus = append(sc.skus, l.SKU)
		}
		sc.env = Env{
			Order: OrderEnv{
				ID: o.ID, Total: o.Total, Currency: o.Currency, Lines: len(lines), Units: units,
				SKUs: sc.skus, Locale: loc.name,
			},
			Destination: DestinationEnv{Country: country, Region: region, PostalCode: o.Destination.PostalCode},
			Now:         now.UTC(),
		}
		sc.envReady = true
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

func compareNodes(st []nodeState, a, b int) int {
	x, y := &st[a], &st[b]
	switch {
	case x.rank != y.rank:
		return x.rank - y.rank
	case x.tier != y.tier:
		return x.tier - y.tier
	case x.score != y.score:
		if x.score < y.score {
			return -1
		}
		return 1
	case x.dist != y.dist:
		if x.dist < y.dist {
			return -1
		}
		return 1
	}
	return a - b // nodes are sorted by id
}

// splitBudget bounds the combinations the split search tries; beyond it a
// greedy cover is used (more lines than any real basket).
const splitBudget = 200_000

// cover finds the fewest ranked nodes, at most maxShip, whose lines cover
// the order; among covers of that size the one with the best-ranked nodes.
// It appends to out and returns nil-length when there is none.
func cover(ranked []int, st []nodeState, all uint64, maxShip int, out []int) []int {
	// One candidate per distinct line set: the best-ranked node with it.
	var cands [64]int
	var masks [64]uint64
	nc := 0
	for _, i := range ranked {
		m := st[i].mask
		if slices.Contains(masks[:nc], m) {
			continue
		}
		if nc == len(cands) {
			break
		}
		cands[nc], masks[nc] = i, m
		nc++
	}
	budget := splitBudget
	var pick [64]int
	for k := 2; k <= maxShip && k <= nc; k++ {
		if n := search(masks[:nc], 0, k, 0, all, pick[:0], &budget); n != nil {
			for _, p := range n {
				out = append(out, cands[p])
			}
			return out
		}
		if budget <= 0 {
			return greedyCover(cands[:nc], masks[:nc], all, maxShip, out)
		}
	}
	return out[:0]
}

func search(masks []uint64, start, k int, acc, all uint64, pick []int, budget *int) []int {
	if k == 0 {
		if acc == all {
			return pick
		}
		return nil
	}
	for i := start; i <= len(masks)-k; i++ {
		if *budget--; *budget < 0 {
			return nil
		}
		if masks[i]|acc == acc {
			continue // adds no line: a smaller cover would exist, already ruled out
		}
		if got := search(masks, i+1, k-1, acc|masks[i], all, append(pick, i), budget); got != nil {
			return got
		}
	}
	return nil
}

func greedyCover(cands []int, masks []uint64, all uint64, maxShip int, out []int) []int {
	var acc uint64
	for len(out) < maxShip && acc != all {
		best, gain := -1, 0
		for i, m := range masks {
			if g := popcount(m &^ acc); g > gain {
				best, gain = i, g
			}
		}
		if best < 0 {
			break
		}
		out = append(out, cands[best])
		acc |= masks[best]
	}
	if acc != all {
		return out[:0]
	}
	return out
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

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
func (e *Engine) build(rs *RuleSet, sc *scratch, o *Order, lines []Line, country, region string, loc *localeInfo, pol policy, now time.Time) *Decision {
	st, chosen := sc.st, sc.chosen
	first := &rs.nodes[chosen[0]]
	fs := &st[chosen[0]]
	buyer := loc.loc
	d := &Decision{
		DecisionID:   e.ids.next(now),
		RulesVersion: rs.version,
		DecidedAt:    now.UTC(),
		Locale:       loc.name,
		Region:       region,
		Node:         first.Node,
		Carriers:     *fs.carriers,
		Score:        fs.score,
		DistanceKM:   km(fs.dist),
	}
	if len(sc.warnings) > 0 {
		d.Warnings = slices.Clone(sc.warnings)
	}
	var age time.Duration
	if len(chosen) == 1 {
		d.Promise = first.promise(now, fs.carriers.Primary, buyer)
		age = fs.age
	} else {
		d.Shipments = make([]Shipment, len(chosen))
		var assigned uint64
		for k, i := range chosen {
			n, s := &rs.nodes[i], &st[i]
			sh := &d.Shipments[k]
			*sh = Shipment{Node: n.Node, Carriers: *s.carriers, Promise: n.promise(now, s.carriers.Primary, buyer),
				InventoryAgeS: s.age.Seconds(), BadgeStale: s.age > pol.staleAfter, DistanceKM: km(s.dist)}
			for j := range lines {
				if bit := uint64(1) << uint(j); s.mask&bit != 0 && assigned&bit == 0 {
					sh.Lines = append(sh.Lines, lines[j])
					assigned |= bit
				}
			}
			age = max(age, s.age)
			d.Promise = mergePromise(d.Promise, sh.Promise, k == 0)
		}
	}
	d.InventoryAgeS = age.Seconds()
	d.BadgeStale = age > pol.staleAfter
	tmpl := loc.badge
	if d.BadgeStale {
		tmpl = loc.stale
	}
	d.Badge = tmpl.render(first.Name, first.Region, d.Promise.MinHours, d.Promise.MaxHours)
	d.Alternatives = alternatives(rs, sc, lines)
	return d
}

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
