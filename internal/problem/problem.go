package problem

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a problem detail. Status and Code are stable API; Detail is for
// people and may change.
type Error struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// Field names the offending input (a query parameter, a JSON field).
	Field string `json:"field,omitempty"`
	// RetryAfter, in seconds, is sent as a Retry-After header when > 0.
	RetryAfter int `json:"-"`
	// Extensions are extra members of the problem object (RFC 9457 §3.2),
	// such as the per-node reasons of a routing failure. They never
	// replace the standard members.
	Extensions map[string]any `json:"-"`
	Err        error          `json:"-"`
}

// New builds a problem with the status text as its title.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Title: http.StatusText(status), Detail: fmt.Sprintf(format, args...)}
}

// Wrap is New keeping the cause for logs and errors.Is.
func Wrap(err error, status int, code, format string, args ...any) *Error {
	p := New(status, code, format, args...)
	p.Err = err
	return p
}

// WithField names the offending input.
func (e *Error) WithField(f string) *Error { e.Field = f; return e }

// With adds an extension member.
func (e *Error) With(name string, v any) *Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[name] = v
	return e
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%d): %s: %v", e.Code, e.Status, e.Detail, e.Err)
	}
	return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var p *Error
	ok := errors.As(err, &p)
	return p, ok
}
