package yamlerr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/internal/yamlerr"
)

func rulesError() *yamlerr.Error {
	return &yamlerr.Error{Source: "rules/active.yaml", Kind: "rules", Problems: []yamlerr.Problem{
		{Path: "rules[0].hub", Line: 4, Msg: `unknown hub "eu-wow"`},
		{Path: "$", Msg: "want one YAML document, found 2"},
	}}
}

func TestMessage(t *testing.T) {
	const want = "rules/active.yaml: 2 problem(s)\n" +
		"  line 4: rules[0].hub: unknown hub \"eu-wow\"\n" +
		"  $: want one YAML document, found 2"
	if got := rulesError().Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	one := yamlerr.New("catalog.yaml", "catalog", "$", "file is %d bytes, limit %d", 9, 8)
	if got := one.Error(); got != "catalog.yaml: 1 problem(s)\n  $: file is 9 bytes, limit 8" {
		t.Errorf("New: %q", got)
	}
}

// TestProblem: the error finds its response through problem.As, wrapped
// or not, while errors.As still finds the error inside the response.
func TestProblem(t *testing.T) {
	for _, err := range []error{rulesError(), fmt.Errorf("PUT: %w", rulesError())} {
		p, ok := problem.As(err)
		if !ok {
			t.Fatalf("problem.As(%v) found nothing", err)
		}
		const detail = `the rules file has 2 problem(s); nothing was activated: line 4: rules[0].hub: unknown hub "eu-wow"; $: want one YAML document, found 2`
		if p.Status != http.StatusBadRequest || p.Code != "invalid_rules" || p.Title != "Bad Request" || p.Detail != detail {
			t.Errorf("problem %d %s %q %q", p.Status, p.Code, p.Title, p.Detail)
		}
		ext, _ := json.Marshal(p.Extensions["problems"])
		if want := `[{"path":"rules[0].hub","line":4,"message":"unknown hub \"eu-wow\""},{"path":"$","message":"want one YAML document, found 2"}]`; string(ext) != want {
			t.Errorf("problems %s, want %s", ext, want)
		}
		var ye *yamlerr.Error
		if !errors.As(p, &ye) || ye.Source != "rules/active.yaml" {
			t.Errorf("errors.As through the problem: %v", ye)
		}
	}
}

func TestCodes(t *testing.T) {
	for _, tc := range []struct{ kind, code, detail string }{
		{"catalog", "invalid_catalog", "the catalog file has 0 problem(s); nothing was activated: "},
		{"", "invalid_yaml", "the YAML file has 0 problem(s); nothing was activated: "},
	} {
		e := &yamlerr.Error{Source: "x.yaml", Kind: tc.kind}
		p := e.Problem()
		if e.Code() != tc.code || p.Code != tc.code || p.Detail != tc.detail || p.Status != http.StatusBadRequest {
			t.Errorf("kind %q: code %s, problem %s %q", tc.kind, e.Code(), p.Code, p.Detail)
		}
		// The member is a list even with no problems, as clients iterate it.
		if ext, _ := json.Marshal(p.Extensions["problems"]); string(ext) != "[]" {
			t.Errorf("kind %q: problems %s, want []", tc.kind, ext)
		}
	}
}
