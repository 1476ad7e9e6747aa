package store

import (
	"errors"
	"fmt"
)

// Sentinel errors; implementations wrap them so callers use errors.Is.
var (
	ErrNotFound    = errors.New("store: object not found")
	ErrNotModified = errors.New("store: object not modified")
	ErrTooLarge    = errors.New("store: object too large")
	// ErrUnavailable means the backend could not be reached or answered with
	// a server-side failure: the caller may retry later.
	ErrUnavailable = errors.New("store: backend unavailable")
	ErrInvalidKey  = errors.New("store: invalid key")
)

// KeyError reports a key rejected by ValidateKey or by a backend that found it
// escaping its root.
type KeyError struct {
	Key    string
	Reason string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("store: invalid key %q: %s", e.Key, e.Reason)
}

// Unwrap lets errors.Is(err, ErrInvalidKey) match.
func (e *KeyError) Unwrap() error { return ErrInvalidKey }
