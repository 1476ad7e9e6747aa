package rulestore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// UnknownVersionError is a rollback to, or a read of, a version that is
// not stored.
type UnknownVersionError struct{ N int }

func (e *UnknownVersionError) Error() string {
	return "there is no rules version " + strconv.Itoa(e.N)
}

// Problem is 404 unknown_rules_version.
func (e *UnknownVersionError) Problem() *problem.Error {
	return problem.Wrap(e, http.StatusNotFound, "unknown_rules_version", "there is no rules version %d (GET /admin/rules/versions lists them)", e.N)
}

// As lets problem.As find the problem.
func (e *UnknownVersionError) As(target any) bool { return asProblem(target, e.Problem) }

// StaleVersionError is a rollback to a stored version that no longer
// validates against the current catalog; nothing was activated.
type StaleVersionError struct {
	N       int
	Invalid *routing.ValidationError
}

func (e *StaleVersionError) Error() string {
	return "rules version " + strconv.Itoa(e.N) + " no longer validates against the catalog: " + e.Invalid.Error()
}

func (e *StaleVersionError) Unwrap() error { return e.Invalid }

// Problem is the version's invalid_rules problem (each with its line) as
// 409: the version was fine when stored, the catalog moved on.
func (e *StaleVersionError) Problem() *problem.Error {
	p := e.Invalid.Problem()
	p.Err = e
	p.Status, p.Title = http.StatusConflict, http.StatusText(http.StatusConflict)
	p.Detail = fmt.Sprintf("version %d no longer validates against the catalog: %s", e.N, p.Detail)
	return p
}

// As lets problem.As find the problem; without it problem.As would find
// the wrapped validation error's 400.
func (e *StaleVersionError) As(target any) bool { return asProblem(target, e.Problem) }

// TooLargeError is a stored rules object over routing.MaxRulesBytes (put
// there by hand: the admin API refuses larger rules): it is never read
// into memory, so it cannot be rolled back to.
type TooLargeError struct{ Key string }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is over the %d-byte rules limit", e.Key, routing.MaxRulesBytes)
}

// Problem is 422 rules_too_large.
func (e *TooLargeError) Problem() *problem.Error {
	return problem.Wrap(e, http.StatusUnprocessableEntity, "rules_too_large", "%s is over the %d-byte rules limit and cannot be activated", e.Key, routing.MaxRulesBytes)
}

// As lets problem.As find the problem; without it the origin would map the
// store's size error to the one for photos.
func (e *TooLargeError) As(target any) bool { return asProblem(target, e.Problem) }

// UnavailableError is a store call the store did not answer (an outage, a
// deadline): nothing was activated, and the same request may be retried.
type UnavailableError struct {
	Op  string // what the store was asked, e.g. "writing rules/active.yaml"
	Err error
}

func (e *UnavailableError) Error() string { return "rulestore: " + e.Op + ": " + e.Err.Error() }

func (e *UnavailableError) Unwrap() error { return e.Err }

// Problem is 503 store_unavailable with a Retry-After.
func (e *UnavailableError) Problem() *problem.Error {
	p := problem.Wrap(e, http.StatusServiceUnavailable, "store_unavailable", "the store did not answer in time; retry shortly")
	p.RetryAfter = 2
	return p
}

// As lets problem.As find the problem.
func (e *UnavailableError) As(target any) bool { return asProblem(target, e.Problem) }

// storeFailed wraps a failed store call: an outage becomes an
// *UnavailableError; anything else keeps its cause (a missing or oversized
// object, a bad key) for the caller or the origin's mapping.
func storeFailed(op string, err error) error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return &UnavailableError{Op: op, Err: err}
	}
	return fmt.Errorf("rulestore: %s: %w", op, err)
}

// asProblem answers errors.As for a **problem.Error target: the origin's
// one mapping asks for nothing else.
func asProblem(target any, p func() *problem.Error) bool {
	if t, ok := target.(**problem.Error); ok {
		*t = p()
		return true
	}
	return false
}
