package routing

import (
	"errors"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Env is what a rule's `when:` condition sees. Conditions are about the
// order, not a node: they are evaluated once per decision, whatever the
// number of hubs (rules name hubs themselves).
//
//	order.total > 100 && destination.country in ["DE", "AT"]
//	destination.region == "GB" || "label-mug" in order.skus
//	now.Weekday() == 5 && now.Hour() >= 12
type Env struct {
	Order       OrderEnv       `expr:"order"`
	Destination DestinationEnv `expr:"destination"`
	// Now is the decision instant (the injected clock) in UTC. expr's own
	// now() is disabled: it would bypass the clock and make decisions
	// untestable.
	Now time.Time `expr:"now"`
}

// OrderEnv is the order as conditions see it.
type OrderEnv struct {
	ID       string   `expr:"id"`
	Total    float64  `expr:"total"`
	Currency string   `expr:"currency"`
	Lines    int      `expr:"lines"` // distinct SKUs
	Units    int      `expr:"units"` // sum of quantities
	SKUs     []string `expr:"skus"`
	Locale   string   `expr:"locale"` // the resolved catalog locale
}

// DestinationEnv is the destination as conditions see it.
type DestinationEnv struct {
	Country    string `expr:"country"` // upper-case ISO 3166 alpha-2
	Region     string `expr:"region"`  // catalog region, or the country when none lists it
	PostalCode string `expr:"postal_code"`
}

// maxWhenLen bounds a condition's source: conditions are one-liners, and
// a long one is more likely pasted garbage than policy.
const maxWhenLen = 2000

// compileWhen compiles a condition once, at load. The line returned is the
// 1-based line inside the source the error is on (0 when unknown).
func compileWhen(src string) (*vm.Program, int, error) {
	if len(src) > maxWhenLen {
		return nil, 0, errors.New("condition is longer than 2000 characters")
	}
	if strings.TrimSpace(src) == "" {
		return nil, 0, errors.New("condition is empty (leave when: out to always apply)")
	}
	p, err := compileSafe(src)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, fe.Line, errors.New(envNames.Replace(fe.Message))
		}
		return nil, 0, err
	}
	return p, 0, nil
}

// envNames turns Go type names in compiler messages into what rule
// authors write: "type routing.OrderEnv has no field totl" becomes
// "order has no field totl".
var envNames = strings.NewReplacer(
	"type routing.OrderEnv", "order",
	"type routing.DestinationEnv", "destination",
	"routing.OrderEnv", "order",
	"routing.DestinationEnv", "destination",
	"routing.Env", "the condition",
)

// compileSafe turns a compiler panic into an error: a rules file is data
// from an admin API and must not crash a replica.
func compileSafe(src string) (p *vm.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errors.New("condition could not be compiled")
		}
	}()
	return expr.Compile(src,
		expr.Env(Env{}),
		expr.AsBool(),
		expr.DisableBuiltin("now"),
		expr.MaxNodes(500),
	)
}
