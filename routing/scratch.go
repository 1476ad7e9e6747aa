package routing

import (
	"time"

	"github.com/expr-lang/expr/vm"
)

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
