package routing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// compile checks the fields of the rule's kind and fills in what decisions
// read. Each kind reports its problems in field order, so the first one a
// rule author sees is the first field to fix.
func (rp *ruleParse) compile(r *rule) {
	switch r.kind {
	case kMinInventory:
		r.units, _ = rp.bounded(rp.s.Units, "units", 1, maxQty, "is required")
		r.targets = rp.hubList(false)
	case kRegions:
		rp.regions(r)
	case kMaxDistance:
		rp.maxDistance(r)
	case kPrefer:
		rp.prefer(r)
	case kExclude:
		rp.exclude(r)
	case kCost:
		rp.cost(r)
	case kSLA:
		r.hours, _ = rp.bounded(rp.s.MaxHours, "max_hours", 1, 24*90, "is required")
		r.soft = rp.s.Soft
	case kMaxSplits:
		var ok bool
		if r.splits, ok = rp.bounded(rp.s.Splits, "splits", 0, MaxLines-1, "is required (0 = never split)"); ok {
			rp.rs.hasSplits = rp.rs.hasSplits || r.splits > 0
		}
	}
}

func (rp *ruleParse) regions(r *rule) {
	if h := rp.oneHub(); h >= 0 {
		r.targets = []int{h}
	}
	serve := rp.s.Serve
	if len(serve) == 0 {
		rp.add(rp.at("serve"), ".serve", "must list at least one region or country")
	}
	r.serve = map[string]bool{}
	for j, dest := range serve {
		if _, isRegion := rp.rs.cat.Regions[dest]; !isRegion && !countryPattern.MatchString(dest) {
			rp.add(item(rp.at("serve"), j), fmt.Sprintf(".serve[%d]", j), "%q is neither a region of the catalog (%s) nor a country code",
				dest, strings.Join(rp.rs.regionNames(), ", "))
		}
		r.serve[dest] = true
	}
	r.detail = "serves only " + strings.Join(serve, ", ")
}

func (rp *ruleParse) maxDistance(r *rule) {
	switch km := rp.s.KM; {
	case km == nil:
		rp.add(rp.n, ".km", "is required")
	case !(*km > 0 && *km <= 20_100):
		rp.add(rp.at("km"), ".km", "must be within 0..20100 (half the Earth's circumference)")
	default:
		r.km = *km
		r.detail = "farther than " + strconv.FormatFloat(r.km, 'f', -1, 64) + " km"
	}
	r.targets = rp.hubList(false)
}

// prefer ranks the listed hubs in list order; every other node ranks
// after them, alike.
func (rp *ruleParse) prefer(r *rule) {
	r.targets = rp.hubList(true)
	r.rank = make([]int, len(rp.rs.nodes))
	for j := range r.rank {
		r.rank[j] = len(r.targets)
	}
	for rank, idx := range r.targets {
		r.rank[idx] = rank
	}
}

func (rp *ruleParse) exclude(r *rule) {
	if h := rp.oneHub(); h >= 0 {
		r.targets = []int{h}
	}
	s := &rp.s
	if strings.TrimSpace(s.Reason) == "" {
		rp.add(rp.n, ".reason", "is required: say why the hub is out, it is shown in every decision")
	}
	r.detail = s.Reason
	if s.Until != "" {
		t, err := time.Parse(time.RFC3339, s.Until)
		if err != nil {
			rp.add(rp.at("until"), ".until", "%q is not an RFC 3339 instant such as 2026-01-28T06:00:00Z", s.Until)
		}
		r.until = t
	}
}

// cost prices destinations per hub. Destination keys are numbered across
// the whole rule set, so decisions look prices up by index.
func (rp *ruleParse) cost(r *rule) {
	rs, costs := rp.rs, rp.s.Costs
	if len(costs) == 0 {
		rp.add(rp.at("costs"), ".costs", "must price at least one hub: {hub: {region: weight}}")
	}
	r.costs = make([]costTable, len(rs.nodes))
	for _, hub := range sortedKeys(costs) {
		hn := entry(rp.at("costs"), hub)
		idx, ok := rs.nodeIdx[hub]
		if !ok {
			rp.add(hn, ".costs."+hub, "unknown hub %q%s", hub, rs.hubHint())
			continue
		}
		var t costTable
		for _, dest := range sortedKeys(costs[hub]) {
			w := costs[hub][dest]
			field := ".costs." + hub + "." + dest
			if _, isRegion := rs.cat.Regions[dest]; !isRegion && dest != "*" && !countryPattern.MatchString(dest) {
				rp.add(entry(hn, dest), field, "%q is neither a region, a country code nor \"*\"", dest)
			}
			if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
				rp.add(entry(hn, dest), field, "must be a finite number ≥ 0")
			}
			t.set(rs.costKeyFor(dest), w)
		}
		r.costs[idx] = t
		r.targets = append(r.targets, idx)
	}
}

// costKeyFor numbers a destination key the first time a cost rule names it.
func (rs *RuleSet) costKeyFor(dest string) int {
	k, ok := rs.costKeys[dest]
	if !ok {
		k = len(rs.costKeys)
		rs.costKeys[dest] = k
	}
	return k
}
