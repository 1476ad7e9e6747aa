package routing

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong in a rules or reference file, located by path
// (rules[2].hubs[0]) and line, the way catalog.yaml problems are.
type Problem struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"` // 1-based; 0 when unknown
	Msg  string `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Msg)
}

// ValidationError lists every problem found in a rules or reference file.
// A file with any problem is refused as a whole: half a rule set routes
// orders in ways nobody reviewed.
type ValidationError struct {
	Source   string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Code is the stable machine-readable code the HTTP layer reports.
func (e *ValidationError) Code() string { return "invalid_rules" }
