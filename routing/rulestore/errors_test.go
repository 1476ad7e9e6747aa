package rulestore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
)

// outage is a store whose writes, or listings, fail as an S3 outage does;
// reads still answer (a cached or read-only replica).
type outage struct {
	store.Blob
	writes, lists atomic.Bool // down
}

func (o *outage) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	if o.writes.Load() {
		return store.Info{}, fmt.Errorf("put %s: %w", key, store.ErrUnavailable)
	}
	return o.Blob.Put(ctx, key, data, opts)
}

func (o *outage) List(ctx context.Context, prefix string) ([]store.Info, error) {
	if o.lists.Load() {
		return nil, fmt.Errorf("list %s: %w", prefix, context.DeadlineExceeded)
	}
	return o.Blob.List(ctx, prefix)
}

// A store outage refuses the change with 503 store_unavailable and a
// Retry-After, activates nothing, and the retry after it works.
func TestStoreUnavailable(t *testing.T) {
	var o *outage
	f := startRulesOn(t, func(b store.Blob) store.Blob { o = &outage{Blob: b}; return o }, 0, false)
	ctx := context.Background()
	o.writes.Store(true)
	_, putErr := f.rules.Put(ctx, []byte(wawDown(t, "during-outage")), false)
	o.writes.Store(false)
	o.lists.Store(true)
	_, listErr := f.rules.Versions(ctx)
	o.lists.Store(false)
	for name, err := range map[string]error{"put": putErr, "versions": listErr} {
		var ue *rulestore.UnavailableError
		p, _ := problem.As(err)
		if !errors.As(err, &ue) || !errors.Is(err, ue.Err) || p == nil ||
			p.Status != http.StatusServiceUnavailable || p.Code != "store_unavailable" || p.RetryAfter != 2 ||
			p.Detail != "the store did not answer in time; retry shortly" {
			t.Errorf("%s during an outage: %v (problem %+v), want an UnavailableError as 503 store_unavailable", name, err, p)
		}
	}
	if !errors.Is(putErr, store.ErrUnavailable) || !errors.Is(listErr, context.DeadlineExceeded) {
		t.Errorf("the causes are lost: %v; %v", putErr, listErr)
	}
	if d := f.routePL(t); d.RulesVersion != demoRulesVersion {
		t.Errorf("a refused put activated %s", d.RulesVersion)
	}

	if ch, err := f.rules.Put(ctx, []byte(wawDown(t, "after-outage")), false); err != nil || !ch.Activated {
		t.Fatalf("put after the outage: %+v, %v", ch, err)
	}
	if d := f.routePL(t); d.RulesVersion != "after-outage" {
		t.Errorf("after the outage: %s", d.RulesVersion)
	}
}

// TestProblems pins each typed error's problem: the responses PUT
// /admin/rules and POST /admin/rules/rollback/{n} have always given.
func TestProblems(t *testing.T) {
	invalid := &routing.ValidationError{Source: routing.ActiveKey, Kind: "rules", Problems: []routing.Problem{
		{Path: "rules[0].hub", Line: 3, Msg: `unknown hub "eu-ber"`}}}
	for _, tc := range []struct {
		err                 error
		status, retry       int
		code, title, detail string
		problems            bool
	}{
		{&rulestore.UnknownVersionError{N: 7}, 404, 0, "unknown_rules_version", "Not Found",
			"there is no rules version 7 (GET /admin/rules/versions lists them)", false},
		{&rulestore.StaleVersionError{N: 2, Invalid: invalid}, 409, 0, "invalid_rules", "Conflict",
			`version 2 no longer validates against the catalog: the rules file has 1 problem(s); nothing was activated: line 3: rules[0].hub: unknown hub "eu-ber"`, true},
		{invalid, 400, 0, "invalid_rules", "Bad Request",
			`the rules file has 1 problem(s); nothing was activated: line 3: rules[0].hub: unknown hub "eu-ber"`, true},
		{&rulestore.UnavailableError{Op: "writing rules/active.yaml", Err: store.ErrUnavailable}, 503, 2, "store_unavailable", "Service Unavailable",
			"the store did not answer in time; retry shortly", false},
	} {
		p, ok := problem.As(fmt.Errorf("handler: %w", tc.err))
		if !ok || p.Status != tc.status || p.RetryAfter != tc.retry || p.Code != tc.code || p.Title != tc.title || p.Detail != tc.detail {
			t.Errorf("%T: problem %+v, want %d %s %q", tc.err, p, tc.status, tc.code, tc.detail)
			continue
		}
		if _, has := p.Extensions["problems"]; has != tc.problems {
			t.Errorf("%T: problems member present %v, want %v", tc.err, has, tc.problems)
		}
		if !errors.Is(p, tc.err) {
			t.Errorf("%T: the problem does not wrap the error", tc.err)
		}
	}
}
