package routing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/edgeshelf/edgeshelf/catalog"
)

var (
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:+-]{0,63}$`)
)

// topFields are the fields of the file itself.
var topFields = []string{"version", "central_stock", "central_rank", "weights", "rules"}

// ParseRules parses, validates and compiles a rules file against a catalog.
// Unknown fields and kinds, bad conditions and unknown hubs or regions are
// all reported, each with its line, in one *ValidationError.
func ParseRules(source string, data []byte, cat *catalog.Catalog) (*RuleSet, error) {
	if cat == nil {
		return nil, fmt.Errorf("routing: ParseRules needs a catalog")
	}
	var p problems
	top, err := topMapping(source, data, &p, strings.Join(topFields, ", "))
	if err != nil {
		return nil, err
	}
	rs := &RuleSet{source: source, data: bytes.Clone(data), cat: cat, centralRank: CentralLast, costKeys: map[string]int{}}
	rs.bindCatalog()
	rs.parseRuleList(rs.parseTop(top, &p), &p)
	if len(p.list) > 0 {
		return nil, invalid(source, p.list)
	}
	if rs.version == "" {
		sum := sha256.Sum256(data)
		rs.version = "sha256:" + hex.EncodeToString(sum[:6])
	}
	return rs, nil
}

// topMapping parses a rules or reference file down to its top-level
// fields. A file too large, not YAML or not a mapping of the fields (want
// lists them) fails whole: there is nothing to check rule by rule.
func topMapping(source string, data []byte, p *problems, want string) ([]*ast.MappingValueNode, error) {
	if len(data) > MaxRulesBytes {
		return nil, invalid(source, []Problem{{Path: "$", Msg: fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxRulesBytes)}})
	}
	body := parseDocument(data, p)
	if body == nil {
		return nil, invalid(source, p.list)
	}
	top, ok := mapping(body)
	if !ok {
		p.add(body, "$", "want a mapping with %s", want)
		return nil, invalid(source, p.list)
	}
	return top, nil
}

// parseTop reads the file's own fields and returns the rules: list, which
// needs them all (the catalog binding) before it is compiled.
func (rs *RuleSet) parseTop(top []*ast.MappingValueNode, p *problems) (rulesNode ast.Node) {
	seen := map[string]bool{}
	for _, mv := range top {
		name := keyName(mv)
		if seen[name] {
			p.add(mv.Key, name, "duplicate field")
			continue
		}
		seen[name] = true
		switch name {
		case "version":
			rs.version, _ = topString(mv, p, func(v string) string {
				if !versionPattern.MatchString(v) {
					return fmt.Sprintf("%q must be 1-64 letters, digits and . _ : + -", v)
				}
				return ""
			})
		case "central_stock":
			rs.centralStock, _ = topString(mv, p, oneOf(CentralUnlimited, CentralInventory))
		case "central_rank":
			if v, ok := topString(mv, p, oneOf(CentralLast, CentralScored)); ok {
				rs.centralRank = v
			}
		case "weights":
			rs.parseWeights(mv.Value, p)
		case "rules":
			rulesNode = mv.Value
		default:
			p.add(mv.Key, name, "unknown field (want one of %s)", strings.Join(topFields, ", "))
		}
	}
	return rulesNode
}

// topString decodes a top-level string field; check says what is wrong
// with the value ("" when nothing is).
func topString(mv *ast.MappingValueNode, p *problems, check func(string) string) (string, bool) {
	name := keyName(mv)
	var v string
	if err := decodeNode(mv.Value, &v); err != nil {
		p.addDecode(mv.Value, name, err)
		return "", false
	}
	if msg := check(v); msg != "" {
		p.add(mv.Value, name, "%s", msg)
		return "", false
	}
	return v, true
}

// oneOf accepts exactly a or b.
func oneOf(a, b string) func(string) string {
	return func(v string) string {
		if v != a && v != b {
			return fmt.Sprintf("%q is not %s or %s", v, a, b)
		}
		return ""
	}
}

// parseRuleList compiles the rules: list, rule by rule, so one bad rule
// does not hide the problems of the next.
func (rs *RuleSet) parseRuleList(n ast.Node, p *problems) {
	if isNull(n) {
		return
	}
	items, ok := sequence(n)
	switch {
	case !ok:
		p.add(n, "rules", "want a list of rules")
	case len(items) > maxRules:
		p.add(n, "rules", "%d rules, limit %d", len(items), maxRules)
	default:
		names := map[string]int{}
		condIdx := map[string]int{}
		for i, item := range items {
			if r, ok := rs.parseRule(i, item, p, names, condIdx); ok {
				rs.rules = append(rs.rules, r)
			}
		}
	}
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
