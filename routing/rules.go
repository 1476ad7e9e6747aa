package routing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
	"github.com/goccy/go-yaml/ast"

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

// kindFields lists the rule kinds with the fields each accepts besides the
// common kind, name and when.
var kindFields = map[string][]string{
	KindMinInventory:  {"units", "hubs"},
	KindRegions:       {"hub", "serve"},
	KindMaxDistanceKM: {"km", "hubs"},
	KindPrefer:        {"hubs"},
	KindExclude:       {"hub", "reason", "until"},
	KindCost:          {"costs"},
	KindSLA:           {"max_hours", "soft"},
	KindMaxSplits:     {"splits"},
}

var kindNames = func() []string {
	k := make([]string, 0, len(kindFields))
	for name := range kindFields {
		k = append(k, name)
	}
	sort.Strings(k)
	return k
}()

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

var (
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$`)
)

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

// ruleSpec is the union of every kind's fields; which ones a rule may set
// is checked against kindFields before decoding.
type ruleSpec struct {
	Kind     string                        `yaml:"kind"`
	Name     string                        `yaml:"name"`
	When     string                        `yaml:"when"`
	Units    *int                          `yaml:"units"`
	Hubs     []string                      `yaml:"hubs"`
	Hub      string                        `yaml:"hub"`
	Serve    []string                      `yaml:"serve"`
	KM       *float64                      `yaml:"km"`
	Reason   string                        `yaml:"reason"`
	Until    string                        `yaml:"until"`
	Costs    map[string]map[string]float64 `yaml:"costs"`
	MaxHours *int                          `yaml:"max_hours"`
	Soft     bool                          `yaml:"soft"`
	Splits   *int                          `yaml:"splits"`
}

var commonFields = []string{"kind", "name", "when"}

// topFields are the fields of the file itself.
var topFields = []string{"version", "central_stock", "central_rank", "weights", "rules"}

// ParseRules parses, validates and compiles a rules file against a catalog.
// Unknown fields and kinds, bad conditions and unknown hubs or regions are
// all reported, each with its line, in one *ValidationError.
func ParseRules(source string, data []byte, cat *catalog.Catalog) (*RuleSet, error) {
	if cat == nil {
		return nil, fmt.Errorf("routing: ParseRules needs a catalog")
	}
	fail := func(p []Problem) error { return &ValidationError{Source: source, Problems: p} }
	if len(data) > MaxRulesBytes {
		return nil, fail([]Problem{{Path: "$", Msg: fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxRulesBytes)}})
	}
	var p problems
	body := parseDocument(data, &p)
	if body == nil {
		return nil, fail(p.list)
	}
	top, ok := mapping(body)
	if !ok {
		p.add(body, "$", "want a mapping with %s", strings.Join(topFields, ", "))
		return nil, fail(p.list)
	}
	rs := &RuleSet{source: source, data: bytes.Clone(data), cat: cat, centralRank: CentralLast, costKeys: map[string]int{}}
	rs.bindCatalog()
	seen := map[string]bool{}
	var rulesNode ast.Node
	for _, mv := range top {
		name := keyName(mv)
		if seen[name] {
			p.add(mv.Key, name, "duplicate field")
			continue
		}
		seen[name] = true
		switch name {
		case "version":
			var v string
			if err := decodeNode(mv.Value, &v); err != nil {
				p.addDecode(mv.Value, name, err)
			} else if !versionPattern.MatchString(v) {
				p.add(mv.Value, name, "%q must be 1-64 letters, digits and . _ : + -", v)
			} else {
				rs.version = v
			}
		case "central_stock":
			var v string
			if err := decodeNode(mv.Value, &v); err != nil {
				p.addDecode(mv.Value, name, err)
			} else if v != CentralUnlimited && v != CentralInventory {
				p.add(mv.Value, name, "%q is not %s or %s", v, CentralUnlimited, CentralInventory)
			} else {
				rs.centralStock = v
			}
		case "central_rank":
			var v string
			if err := decodeNode(mv.Value, &v); err != nil {
				p.addDecode(mv.Value, name, err)
			} else if v != CentralLast && v != CentralScored {
				p.add(mv.Value, name, "%q is not %s or %s", v, CentralLast, CentralScored)
			} else {
				rs.centralRank = v
			}
		case "weights":
			rs.parseWeights(mv.Value, &p)
		case "rules":
			rulesNode = mv.Value
		default:
			p.add(mv.Key, name, "unknown field (want one of %s)", strings.Join(topFields, ", "))
		}
	}
	if !isNull(rulesNode) {
		items, ok := sequence(rulesNode)
		switch {
		case !ok:
			p.add(rulesNode, "rules", "want a list of rules")
		case len(items) > maxRules:
			p.add(rulesNode, "rules", "%d rules, limit %d", len(items), maxRules)
		default:
			names := map[string]int{}
			condIdx := map[string]int{}
			for i, n := range items {
				if r, ok := rs.parseRule(i, n, &p, names, condIdx); ok {
					rs.rules = append(rs.rules, r)
				}
			}
		}
	}
	if len(p.list) > 0 {
		return nil, fail(p.list)
	}
	if rs.version == "" {
		sum := sha256.Sum256(data)
		rs.version = "sha256:" + hex.EncodeToString(sum[:6])
	}
	return rs, nil
}

func (rs *RuleSet) parseWeights(n ast.Node, p *problems) {
	vals, ok := mapping(n)
	if !ok {
		p.add(n, "weights", "want a mapping of latency, cost, sla")
		return
	}
	for _, mv := range vals {
		name := keyName(mv)
		var dst **float64
		switch name {
		case "latency":
			dst = &rs.weights.latency
		case "cost":
			dst = &rs.weights.cost
		case "sla":
			dst = &rs.weights.sla
		default:
			p.add(mv.Key, "weights."+name, "unknown weight (want latency, cost, sla)")
			continue
		}
		var v float64
		if err := decodeNode(mv.Value, &v); err != nil {
			p.addDecode(mv.Value, "weights."+name, err)
			continue
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			p.add(mv.Value, "weights."+name, "must be a finite number ≥ 0")
			continue
		}
		*dst = &v
	}
}

// parseRule checks and compiles rules[i]. names and condIdx are shared by
// all rules of the file: names must be unique, conditions are compiled once
// per distinct source text.
func (rs *RuleSet) parseRule(i int, n ast.Node, p *problems, names map[string]int, condIdx map[string]int) (rule, bool) {
	path := fmt.Sprintf("rules[%d]", i)
	before := len(p.list)
	vals, ok := mapping(n)
	if !ok {
		p.add(n, path, "want a mapping with kind: one of %s", strings.Join(kindNames, ", "))
		return rule{}, false
	}
	kindNode := field(vals, "kind")
	var kind string
	if kindNode == nil {
		p.add(n, path+".kind", "is required (one of %s)", strings.Join(kindNames, ", "))
		return rule{}, false
	}
	if err := decodeNode(kindNode, &kind); err != nil {
		p.addDecode(kindNode, path+".kind", err)
		return rule{}, false
	}
	allowed, known := kindFields[kind]
	if !known {
		p.add(kindNode, path+".kind", "unknown rule kind %q (want one of %s)", kind, strings.Join(kindNames, ", "))
		return rule{}, false
	}
	seen := map[string]bool{}
	for _, mv := range vals {
		k := keyName(mv)
		switch {
		case seen[k]:
			p.add(mv.Key, path+"."+k, "duplicate field")
		case !slices.Contains(commonFields, k) && !slices.Contains(allowed, k):
			p.add(mv.Key, path+"."+k, "unknown field for kind %s (want %s)", kind, strings.Join(append(slices.Clone(commonFields), allowed...), ", "))
		}
		seen[k] = true
	}
	if len(p.list) > before {
		return rule{}, false
	}
	var s ruleSpec
	if err := decodeNode(n, &s); err != nil {
		p.addDecode(n, path, err)
		return rule{}, false
	}
	at := func(name string) ast.Node { return entry(n, name) }

	r := rule{kind: kindByName[kind], cond: -1, label: path + " " + kind}
	if s.Name != "" {
		if len(s.Name) > 64 || strings.ContainsAny(s.Name, "\n\r\t") {
			p.add(at("name"), path+".name", "must be one line of at most 64 characters")
		} else if prev, dup := names[s.Name]; dup {
			p.add(at("name"), path+".name", "duplicate rule name %q (rules[%d] has it)", s.Name, prev)
		} else {
			names[s.Name] = i
			r.label = s.Name
		}
	}
	if seen["when"] {
		if idx, ok := condIdx[s.When]; ok {
			r.cond = idx
		} else if prog, line, err := compileWhen(s.When); err != nil {
			wn := at("when")
			pr := Problem{Path: path + ".when", Line: lineOf(wn), Msg: err.Error()}
			if _, literal := unwrap(wn).(*ast.LiteralNode); literal && line > 0 {
				pr.Line += line // a block scalar's text starts on the line after `|`
			}
			p.list = append(p.list, pr)
		} else {
			r.cond = len(rs.conds)
			condIdx[s.When] = r.cond
			rs.conds = append(rs.conds, prog)
			rs.condSrc = append(rs.condSrc, s.When)
		}
	}

	// hubList resolves an optional hubs: list; absent means every node of
	// kind hub (central is the backstop, so blanket rules leave it alone).
	hubList := func(required bool) []int {
		if !seen["hubs"] {
			if required {
				p.add(n, path+".hubs", "is required")
				return nil
			}
			return rs.hubNodes()
		}
		if len(s.Hubs) == 0 {
			p.add(at("hubs"), path+".hubs", "must name at least one hub")
			return nil
		}
		out := make([]int, 0, len(s.Hubs))
		dup := map[string]bool{}
		for j, h := range s.Hubs {
			idx, ok := rs.nodeIdx[h]
			switch {
			case !ok:
				p.add(item(at("hubs"), j), fmt.Sprintf("%s.hubs[%d]", path, j), "unknown hub %q%s", h, rs.hubHint())
			case dup[h]:
				p.add(item(at("hubs"), j), fmt.Sprintf("%s.hubs[%d]", path, j), "hub %q is listed twice", h)
			default:
				out = append(out, idx)
			}
			dup[h] = true
		}
		return out
	}
	oneHub := func() int {
		if s.Hub == "" {
			p.add(n, path+".hub", "is required")
			return -1
		}
		idx, ok := rs.nodeIdx[s.Hub]
		if !ok {
			p.add(at("hub"), path+".hub", "unknown hub %q%s", s.Hub, rs.hubHint())
			return -1
		}
		return idx
	}

	switch r.kind {
	case kMinInventory:
		switch {
		case s.Units == nil:
			p.add(n, path+".units", "is required")
		case *s.Units < 1 || *s.Units > maxQty:
			p.add(at("units"), path+".units", "must be within 1..%d", maxQty)
		default:
			r.units = *s.Units
		}
		r.targets = hubList(false)
	case kRegions:
		if h := oneHub(); h >= 0 {
			r.targets = []int{h}
		}
		if len(s.Serve) == 0 {
			p.add(entry(n, "serve"), path+".serve", "must list at least one region or country")
		}
		r.serve = map[string]bool{}
		for j, dest := range s.Serve {
			if _, isRegion := rs.cat.Regions[dest]; !isRegion && !countryPattern.MatchString(dest) {
				p.add(item(at("serve"), j), fmt.Sprintf("%s.serve[%d]", path, j), "%q is neither a region of the catalog (%s) nor a country code", dest, strings.Join(rs.regionNames(), ", "))
			}
			r.serve[dest] = true
		}
		r.detail = "serves only " + strings.Join(s.Serve, ", ")
	case kMaxDistance:
		switch {
		case s.KM == nil:
			p.add(n, path+".km", "is required")
		case !(*s.KM > 0 && *s.KM <= 20_100):
			p.add(at("km"), path+".km", "must be within 0..20100 (half the Earth's circumference)")
		default:
			r.km = *s.KM
			r.detail = "farther than " + strconv.FormatFloat(r.km, 'f', -1, 64) + " km"
		}
		r.targets = hubList(false)
	case kPrefer:
		r.targets = hubList(true)
		r.rank = make([]int, len(rs.nodes))
		for j := range r.rank {
			r.rank[j] = len(r.targets)
		}
		for rank, idx := range r.targets {
			r.rank[idx] = rank
		}
	case kExclude:
		if h := oneHub(); h >= 0 {
			r.targets = []int{h}
		}
		if strings.TrimSpace(s.Reason) == "" {
			p.add(n, path+".reason", "is required: say why the hub is out, it is shown in every decision")
		}
		r.detail = s.Reason
		if s.Until != "" {
			t, err := time.Parse(time.RFC3339, s.Until)
			if err != nil {
				p.add(at("until"), path+".until", "%q is not an RFC 3339 instant such as 2026-01-28T06:00:00Z", s.Until)
			}
			r.until = t
		}
	case kCost:
		if len(s.Costs) == 0 {
			p.add(entry(n, "costs"), path+".costs", "must price at least one hub: {hub: {region: weight}}")
		}
		r.costs = make([]costTable, len(rs.nodes))
		for _, hub := range sortedKeys(s.Costs) {
			hn := entry(at("costs"), hub)
			idx, ok := rs.nodeIdx[hub]
			if !ok {
				p.add(hn, path+".costs."+hub, "unknown hub %q%s", hub, rs.hubHint())
				continue
			}
			var t costTable
			for _, dest := range sortedKeys(s.Costs[hub]) {
				w := s.Costs[hub][dest]
				_, isRegion := rs.cat.Regions[dest]
				if !isRegion && dest != "*" && !countryPattern.MatchString(dest) {
					p.add(entry(hn, dest), path+".costs."+hub+"."+dest, "%q is neither a region, a country code nor \"*\"", dest)
				}
				if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
					p.add(entry(hn, dest), path+".costs."+hub+"."+dest, "must be a finite number ≥ 0")
				}
				k, ok := rs.costKeys[dest]
				if !ok {
					k = len(rs.costKeys)
					rs.costKeys[dest] = k
				}
				t.set(k, w)
			}
			r.costs[idx] = t
			r.targets = append(r.targets, idx)
		}
	case kSLA:
		switch {
		case s.MaxHours == nil:
			p.add(n, path+".max_hours", "is required")
		case *s.MaxHours < 1 || *s.MaxHours > 24*90:
			p.add(at("max_hours"), path+".max_hours", "must be within 1..%d", 24*90)
		default:
			r.hours = *s.MaxHours
		}
		r.soft = s.Soft
	case kMaxSplits:
		switch {
		case s.Splits == nil:
			p.add(n, path+".splits", "is required (0 = never split)")
		case *s.Splits < 0 || *s.Splits >= MaxLines:
			p.add(at("splits"), path+".splits", "must be within 0..%d", MaxLines-1)
		default:
			r.splits = *s.Splits
			rs.hasSplits = rs.hasSplits || r.splits > 0
		}
	}
	return r, len(p.list) == before
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (rs *RuleSet) hubNodes() []int {
	var out []int
	for i := range rs.nodes {
		if !rs.nodes[i].central {
			out = append(out, i)
		}
	}
	return out
}

func (rs *RuleSet) hubHint() string {
	ids := make([]string, len(rs.nodes))
	for i := range rs.nodes {
		ids[i] = rs.nodes[i].ID
	}
	return " (the catalog has " + strings.Join(ids, ", ") + ")"
}

func (rs *RuleSet) regionNames() []string { return sortedKeys(rs.cat.Regions) }
