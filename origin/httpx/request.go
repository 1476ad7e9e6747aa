package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// DecodeJSON parses a JSON request body strictly: unknown fields and
// trailing data are errors, so typos never pass silently.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
	}
	dec := StrictDecoder(c.Body())
	if err := dec.Decode(v); err != nil {
		return problem.Wrap(err, http.StatusBadRequest, "invalid_json", "the request body is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return problem.New(http.StatusBadRequest, "invalid_json", "the request body has data after the JSON value")
	}
	return nil
}

// StrictDecoder decodes JSON that must not carry unknown fields.
func StrictDecoder(body []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec
}

// BoolParam reads an optional boolean query parameter.
func BoolParam(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem.New(http.StatusBadRequest, "invalid_parameter", "%s must be 1, 0, true or false", name).WithField(name)
	}
	return b, nil
}

// SafeSegment accepts path segments made of letters, digits, '-', '_', '.'
// and '@', with no "..": anything else (escapes, slashes, NUL) is refused
// before it reaches the catalog or the store.
func SafeSegment(s string) bool {
	if s == "" || len(s) > 128 || strings.Contains(s, "..") {
		return false
	}
	return SafeToken(s)
}

// SafeToken accepts up to 128 letters, digits, '-', '_', '.' and '@'
// (locale tags, hub ids).
func SafeToken(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		case ch == '-' || ch == '_' || ch == '.' || ch == '@':
		default:
			return false
		}
	}
	return true
}

// operatorKey is where the admin token check leaves the name of the token
// it matched.
type operatorKey struct{}

// SetOperator records which admin token authenticated the request.
func SetOperator(c *fiber.Ctx, name string) { c.Locals(operatorKey{}, name) }

// Operator is the name SetOperator recorded ("token#0" when none).
func Operator(c *fiber.Ctx) string {
	if name, ok := c.Locals(operatorKey{}).(string); ok {
		return name
	}
	return "token#0"
}

// DecodeOneOrMany decodes a JSON body that is one object or a list of
// them (the batch admin endpoints take both) into a list.
func DecodeOneOrMany[T any](c *fiber.Ctx) ([]T, error) {
	if bytes.HasPrefix(bytes.TrimSpace(c.Body()), []byte("[")) {
		var many []T
		if err := DecodeJSON(c, &many); err != nil {
			return nil, err
		}
		return many, nil
	}
	var one T
	if err := DecodeJSON(c, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}
