package routing

import "github.com/edgeshelf/edgeshelf/internal/yamlerr"

// Problem is one thing wrong in a rules or reference file, located by path
// (rules[2].hubs[0]) and line: the same type catalog.yaml problems are.
type Problem = yamlerr.Problem

// ValidationError lists every problem found in a rules or reference file;
// it is the catalog's validation error too. A file with any problem is
// refused as a whole: half a rule set routes orders in ways nobody
// reviewed. Its problem response is 400 invalid_rules.
type ValidationError = yamlerr.Error

// rulesKind makes rules and reference files report invalid_rules: the
// reference orders are part of the rules a shop reviews.
const rulesKind = "rules"

// invalid is the error for a rules or reference file's problems.
func invalid(source string, p []Problem) error {
	return &ValidationError{Source: source, Kind: rulesKind, Problems: p}
}
