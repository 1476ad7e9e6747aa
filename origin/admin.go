package origin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// minTokenLen keeps guessable tokens out of the admin API.
const minTokenLen = 16

// LoadTokens reads bearer tokens, one per line; blank lines and # comments
// are skipped. Several tokens allow rotation without downtime.
func LoadTokens(path string) ([][32]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_ADMIN_TOKEN_FILE: %w", err)
	}
	var out [][32]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < minTokenLen {
			return nil, fmt.Errorf("EDGESHELF_ADMIN_TOKEN_FILE: %s line %d: a token must be at least %d characters", path, n, minTokenLen)
		}
		out = append(out, sha256.Sum256([]byte(line)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("EDGESHELF_ADMIN_TOKEN_FILE: %s holds no token", path)
	}
	return out, nil
}

// requireAdmin guards every /admin route. Tokens are compared as SHA-256
// digests in constant time, so neither the token nor its length leaks
// through timing.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if len(s.adminTokens) == 0 {
		return problem.New(http.StatusNotFound, "admin_disabled", "the admin API is off: start edgeshelf with --admin-token-file")
	}
	auth := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if ok {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		match := 0
		for _, t := range s.adminTokens {
			match |= subtle.ConstantTimeCompare(sum[:], t[:])
		}
		if match == 1 {
			return c.Next()
		}
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="edgeshelf-admin"`)
	return problem.New(http.StatusUnauthorized, "unauthorized", "a valid admin bearer token is required")
}

var skuPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// purge drops every cached variant of a SKU from every tier.
// POST /admin/purge {"sku": "amber-oud-50ml"}
func (s *Server) purge(c *fiber.Ctx) error {
	var req struct {
		SKU string `json:"sku"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !skuPattern.MatchString(req.SKU) {
		return problem.New(http.StatusBadRequest, "invalid_sku", "sku must be a SKU id such as amber-oud-50ml").WithField("sku")
	}
	removed, err := s.Cache.Purge(c.UserContext(), req.SKU)
	if err != nil {
		return err
	}
	s.log.Info("purged", "sku", req.SKU, "removed", removed)
	return c.JSON(fiber.Map{"sku": req.SKU, "removed": removed, "surrogate_key": "sku-" + req.SKU})
}

// decodeJSON parses a JSON request body strictly: unknown fields and
// trailing data are errors, so typos never pass silently.
func decodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
	}
	dec := jsonDecoder(c.Body())
	if err := dec.Decode(v); err != nil {
		return problem.Wrap(err, http.StatusBadRequest, "invalid_json", "the request body is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return problem.New(http.StatusBadRequest, "invalid_json", "the request body has data after the JSON value")
	}
	return nil
}
