package store

import (
	"strings"
	"unicode/utf8"
)

// MaxKeyLen bounds keys to what every backend accepts (S3 allows 1024 bytes).
const MaxKeyLen = 1024

// ValidateKey rejects keys that could address anything outside a store root or
// that some backend would interpret differently: empty or over-long keys,
// absolute paths, empty, "." or ".." segments, backslashes, NUL and other
// control characters, and invalid UTF-8.
func ValidateKey(key string) error {
	if key == "" {
		return &KeyError{Key: key, Reason: "empty"}
	}
	if len(key) > MaxKeyLen {
		return &KeyError{Key: key[:32] + "…", Reason: "longer than 1024 bytes"}
	}
	if !utf8.ValidString(key) {
		return &KeyError{Key: key, Reason: "not valid UTF-8"}
	}
	if strings.HasPrefix(key, "/") {
		return &KeyError{Key: key, Reason: "absolute path"}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return &KeyError{Key: key, Reason: "control character"}
		}
		if r == '\\' {
			return &KeyError{Key: key, Reason: "backslash"}
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return &KeyError{Key: key, Reason: "empty path segment"}
		case ".", "..":
			return &KeyError{Key: key, Reason: "dot segment"}
		}
	}
	return nil
}

// ValidatePrefix is ValidateKey for List prefixes, where "" (everything) and a
// trailing slash are allowed.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return ValidateKey(strings.TrimSuffix(prefix, "/"))
}
