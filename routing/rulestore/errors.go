package rulestore

import (
	"strconv"

	"github.com/edgeshelf/edgeshelf/routing"
)

// UnknownVersionError is a rollback to, or a read of, a version that is
// not stored.
type UnknownVersionError struct{ N int }

func (e *UnknownVersionError) Error() string {
	return "there is no rules version " + strconv.Itoa(e.N)
}

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
