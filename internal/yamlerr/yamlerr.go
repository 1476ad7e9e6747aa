package yamlerr

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Problem is one thing wrong in a YAML file, located by the path of the
// field (skus[2].swatch.rect, rules[0].hubs[1]) and its line. The JSON
// names are API: PUT /admin/rules lists problems with them.
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

// Error lists every problem found in one YAML file. A file with any
// problem is refused as a whole: half a catalog or half a rule set would
// serve in ways nobody reviewed.
type Error struct {
	// Source names the file: a store key or a file name.
	Source string
	// Kind is what the file is to its owner ("catalog", "rules"): the
	// problem code is invalid_{kind}.
	Kind     string
	Problems []Problem
}

// New is the error for one problem with no line (an empty or oversized
// file, which has no line to name).
func New(source, kind, path, format string, args ...any) *Error {
	return &Error{Source: source, Kind: kind, Problems: []Problem{{Path: path, Msg: fmt.Sprintf(format, args...)}}}
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Code is the stable machine-readable code of the problem response.
func (e *Error) Code() string {
	if e.Kind == "" {
		return "invalid_yaml"
	}
	return "invalid_" + e.Kind
}

// Problem is the response a refused file deserves: 400, because the file
// is what the client sent (PUT /admin/rules) or asked to activate, with
// every problem in the detail and, each with its line, as the problems
// member.
func (e *Error) Problem() *problem.Error {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	kind := e.Kind
	if kind == "" {
		kind = "YAML"
	}
	p := problem.Wrap(e, http.StatusBadRequest, e.Code(), "the %s file has %d problem(s); nothing was activated: %s",
		kind, len(e.Problems), strings.Join(msgs, "; "))
	problems := e.Problems
	if problems == nil {
		problems = []Problem{} // the member is a list even when empty
	}
	return p.With("problems", problems)
}

// As lets problem.As, the origin's one error mapping, find the response
// without knowing this type.
func (e *Error) As(target any) bool {
	if p, ok := target.(**problem.Error); ok {
		*p = e.Problem()
		return true
	}
	return false
}
