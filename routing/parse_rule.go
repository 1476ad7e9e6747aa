package routing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
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

var kindNames = sortedKeys(kindFields)

var commonFields = []string{"kind", "name", "when"}

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

// ruleParse is one rule being checked and compiled: its node, its decoded
// fields and where its problems go.
type ruleParse struct {
	rs   *RuleSet
	p    *problems
	n    ast.Node
	path string // rules[3]
	kind string
	s    ruleSpec
	seen map[string]bool // the fields the rule sets
}

// parseRule checks and compiles rules[i]. names and condIdx are shared by
// all rules of the file: names must be unique, conditions are compiled once
// per distinct source text.
func (rs *RuleSet) parseRule(i int, n ast.Node, p *problems, names map[string]int, condIdx map[string]int) (rule, bool) {
	rp := &ruleParse{rs: rs, p: p, n: n, path: fmt.Sprintf("rules[%d]", i)}
	before := len(p.list)
	if !rp.readFields() {
		return rule{}, false
	}
	r := rule{kind: kindByName[rp.kind], cond: -1, label: rp.path + " " + rp.kind}
	rp.name(&r, i, names)
	rp.when(&r, condIdx)
	rp.compile(&r)
	return r, len(p.list) == before
}

// readFields finds the rule's kind, refuses fields the kind does not take
// (before decoding, so the message names the kind) and decodes the rest.
func (rp *ruleParse) readFields() bool {
	before := len(rp.p.list)
	vals, ok := mapping(rp.n)
	if !ok {
		rp.add(rp.n, "", "want a mapping with kind: one of %s", strings.Join(kindNames, ", "))
		return false
	}
	kindNode := field(vals, "kind")
	if kindNode == nil {
		rp.add(rp.n, ".kind", "is required (one of %s)", strings.Join(kindNames, ", "))
		return false
	}
	if err := decodeNode(kindNode, &rp.kind); err != nil {
		rp.p.addDecode(kindNode, rp.path+".kind", err)
		return false
	}
	allowed, known := kindFields[rp.kind]
	if !known {
		rp.add(kindNode, ".kind", "unknown rule kind %q (want one of %s)", rp.kind, strings.Join(kindNames, ", "))
		return false
	}
	rp.seen = map[string]bool{}
	for _, mv := range vals {
		k := keyName(mv)
		switch {
		case rp.seen[k]:
			rp.add(mv.Key, "."+k, "duplicate field")
		case !slices.Contains(commonFields, k) && !slices.Contains(allowed, k):
			rp.add(mv.Key, "."+k, "unknown field for kind %s (want %s)", rp.kind, strings.Join(append(slices.Clone(commonFields), allowed...), ", "))
		}
		rp.seen[k] = true
	}
	if len(rp.p.list) > before {
		return false
	}
	if err := decodeNode(rp.n, &rp.s); err != nil {
		rp.p.addDecode(rp.n, rp.path, err)
		return false
	}
	return true
}

// add reports a problem at n for the rule's field (".hubs[1]"; "" for the
// rule itself).
func (rp *ruleParse) add(n ast.Node, field, format string, args ...any) {
	rp.p.add(n, rp.path+field, format, args...)
}

// at is the node of one of the rule's fields, or the rule's own node when
// the field is absent (so a problem still has a line).
func (rp *ruleParse) at(name string) ast.Node { return entry(rp.n, name) }

// name makes the rule's name its label, the way alternatives cite it.
func (rp *ruleParse) name(r *rule, i int, names map[string]int) {
	name := rp.s.Name
	switch {
	case name == "":
	case len(name) > 64 || strings.ContainsAny(name, "\n\r\t"):
		rp.add(rp.at("name"), ".name", "must be one line of at most 64 characters")
	default:
		if prev, dup := names[name]; dup {
			rp.add(rp.at("name"), ".name", "duplicate rule name %q (rules[%d] has it)", name, prev)
			return
		}
		names[name] = i
		r.label = name
	}
}

// when compiles the rule's condition, or shares the program of an earlier
// rule with the same text.
func (rp *ruleParse) when(r *rule, condIdx map[string]int) {
	if !rp.seen["when"] {
		return
	}
	src := rp.s.When
	if idx, ok := condIdx[src]; ok {
		r.cond = idx
		return
	}
	prog, line, err := compileWhen(src)
	if err != nil {
		wn := rp.at("when")
		pr := Problem{Path: rp.path + ".when", Line: lineOf(wn), Msg: err.Error()}
		if _, literal := unwrap(wn).(*ast.LiteralNode); literal && line > 0 {
			pr.Line += line // a block scalar's text starts on the line after `|`
		}
		rp.p.list = append(rp.p.list, pr)
		return
	}
	rs := rp.rs
	r.cond = len(rs.conds)
	condIdx[src] = r.cond
	rs.conds = append(rs.conds, prog)
	rs.condSrc = append(rs.condSrc, src)
}

// hubList resolves an optional hubs: list; absent means every node of
// kind hub (central is the backstop, so blanket rules leave it alone).
func (rp *ruleParse) hubList(required bool) []int {
	rs, hubs := rp.rs, rp.s.Hubs
	if !rp.seen["hubs"] {
		if required {
			rp.add(rp.n, ".hubs", "is required")
			return nil
		}
		return rs.hubNodes()
	}
	if len(hubs) == 0 {
		rp.add(rp.at("hubs"), ".hubs", "must name at least one hub")
		return nil
	}
	out := make([]int, 0, len(hubs))
	dup := map[string]bool{}
	for j, h := range hubs {
		idx, ok := rs.nodeIdx[h]
		switch {
		case !ok:
			rp.add(item(rp.at("hubs"), j), fmt.Sprintf(".hubs[%d]", j), "unknown hub %q%s", h, rs.hubHint())
		case dup[h]:
			rp.add(item(rp.at("hubs"), j), fmt.Sprintf(".hubs[%d]", j), "hub %q is listed twice", h)
		default:
			out = append(out, idx)
		}
		dup[h] = true
	}
	return out
}

// oneHub resolves the required hub: field; -1 when it is missing or
// unknown.
func (rp *ruleParse) oneHub() int {
	hub := rp.s.Hub
	if hub == "" {
		rp.add(rp.n, ".hub", "is required")
		return -1
	}
	idx, ok := rp.rs.nodeIdx[hub]
	if !ok {
		rp.add(rp.at("hub"), ".hub", "unknown hub %q%s", hub, rp.rs.hubHint())
		return -1
	}
	return idx
}

// bounded checks a required integer field against lo..hi.
func (rp *ruleParse) bounded(v *int, name string, lo, hi int, missing string) (int, bool) {
	switch {
	case v == nil:
		rp.add(rp.n, "."+name, "%s", missing)
	case *v < lo || *v > hi:
		rp.add(rp.at(name), "."+name, "must be within %d..%d", lo, hi)
	default:
		return *v, true
	}
	return 0, false
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
