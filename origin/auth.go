package origin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
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
		match, idx := 0, 0
		for i, t := range s.adminTokens {
			eq := subtle.ConstantTimeCompare(sum[:], t[:])
			match |= eq
			idx = subtle.ConstantTimeSelect(eq, i+1, idx)
		}
		if match == 1 {
			// The admin handlers log who acted by the token's position.
			httpx.SetOperator(c, "token#"+strconv.Itoa(idx))
			return c.Next()
		}
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="edgeshelf-admin"`)
	return problem.New(http.StatusUnauthorized, "unauthorized", "a valid admin bearer token is required")
}
