package routing

import (
	"math"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// Store keys of the rules.
const (
	ActiveKey    = "rules/active.yaml"
	ReferenceKey = "rules/reference.yaml"
)

// MaxRulesBytes bounds a rules file; a larger one is refused before parsing.
const MaxRulesBytes = 1 << 20

// maxRules bounds the rules of one file: every rule is visited per decision.
const maxRules = 5000

// Rule kinds, in the order they are documented.
const (
	KindMinInventory  = "min_inventory"
	KindRegions       = "regions"
	KindMaxDistanceKM = "max_distance_km"
	KindPrefer        = "prefer"
	KindExclude       = "exclude"
	KindCost          = "cost"
	KindSLA           = "sla"
	KindMaxSplits     = "max_splits"
)

// Central ranks: where the central warehouse sits among candidates.
const (
	// CentralLast is the playbook: central ships only when no hub can.
	CentralLast = "last"
	// CentralScored lets central compete on score like any hub (cost rules
	// can then make it the cheaper choice).
	CentralScored = "scored"
)

// defaultMinUnits is the playbook's "holds at least 2 units": the last unit
// on a shelf is often the display or damaged one.
const defaultMinUnits = 2

// RuleSet is a parsed, validated and compiled rules file bound to the
// catalog it was checked against. It is immutable: the Engine swaps whole
// RuleSets, so a decision sees one rule set and one catalog, never a mix.
type RuleSet struct {
	version      string
	source       string
	data         []byte
	cat          *catalog.Catalog
	centralStock string // "" = Config.CentralStock
	centralRank  string
	weights      weightOverrides
	rules        []rule
	conds        []*vm.Program // distinct conditions; rules share them by source
	condSrc      []string
	nodes        []node // every hub of the catalog, sorted by id
	nodeIdx      map[string]int
	// countryDist holds, per centroid country, the distance to each node:
	// most orders carry a country only, and this makes their distances a
	// lookup.
	countryDist map[string][]float64
	locales     map[string]*localeInfo
	costKeys    map[string]int // destination key -> index in costTables
	hasSplits   bool
}

type weightOverrides struct{ latency, cost, sla *float64 }

type ruleKind uint8

const (
	kMinInventory ruleKind = iota
	kRegions
	kMaxDistance
	kPrefer
	kExclude
	kCost
	kSLA
	kMaxSplits
)

var kindByName = map[string]ruleKind{
	KindMinInventory: kMinInventory, KindRegions: kRegions, KindMaxDistanceKM: kMaxDistance,
	KindPrefer: kPrefer, KindExclude: kExclude, KindCost: kCost, KindSLA: kSLA, KindMaxSplits: kMaxSplits,
}

// rule is one compiled rule. Which fields matter depends on kind.
type rule struct {
	kind    ruleKind
	label   string // the rule's name, or "rules[3] exclude": what alternatives cite
	cond    int    // index into RuleSet.conds; -1 = always
	targets []int  // nodes the rule applies to
	units   int
	km      float64
	serve   map[string]bool
	detail  string // static explanation for a rejection
	until   time.Time
	rank    []int       // prefer: rank per node; unlisted nodes rank len(list)
	costs   []costTable // cost: per node, nil when the rule does not price it
	hours   int
	soft    bool
	splits  int
}

// costTable prices destinations for one node: indexed by the rule set's
// cost keys (countries, regions, "*"), NaN where the rule sets no price.
// A dense slice rather than a map: cost rules are looked up per node per
// decision, and three string-map lookups each dominated their cost.
type costTable []float64

func (t costTable) at(k int) (float64, bool) {
	if k < 0 || k >= len(t) || math.IsNaN(t[k]) {
		return 0, false
	}
	return t[k], true
}

// lookup finds the price for a destination: its country, then its region,
// then "*" (keys as RuleSet.costKey gives them).
func (t costTable) lookup(country, region, star int) (float64, bool) {
	if v, ok := t.at(country); ok {
		return v, true
	}
	if v, ok := t.at(region); ok {
		return v, true
	}
	return t.at(star)
}

// costKey is the index of a destination key in cost tables, -1 when no
// cost rule names it.
func (rs *RuleSet) costKey(k string) int {
	if i, ok := rs.costKeys[k]; ok {
		return i
	}
	return -1
}

func (t *costTable) set(k int, v float64) {
	for len(*t) <= k {
		*t = append(*t, math.NaN())
	}
	(*t)[k] = v
}

// Version is the rules_version decisions report.
func (rs *RuleSet) Version() string { return rs.version }

// Source names where the rules came from (a store key or a file name).
func (rs *RuleSet) Source() string { return rs.source }

// Catalog is the catalog the rules were checked against.
func (rs *RuleSet) Catalog() *catalog.Catalog { return rs.cat }

// Len is the number of rules.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// Rebind compiles the same rules file against another catalog, as needed
// when catalog.yaml changes: a hub that disappeared makes the rules invalid
// and the caller keeps the old pair.
func (rs *RuleSet) Rebind(cat *catalog.Catalog) (*RuleSet, error) {
	if len(rs.data) == 0 {
		return DefaultRules(cat)
	}
	return ParseRules(rs.source, rs.data, cat)
}

// DefaultRules is the playbook with no rules file: nearest hub holding at
// least 2 units, then the next, then central.
func DefaultRules(cat *catalog.Catalog) (*RuleSet, error) {
	rs, err := ParseRules("default", []byte("version: default\n"), cat)
	if err != nil {
		return nil, err
	}
	rs.data = nil
	return rs, nil
}
