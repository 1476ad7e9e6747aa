package signing

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
)

// Signer signs and verifies variant URLs: HMAC-SHA256 over the path and the
// sorted query (minus sig itself), base64url, truncated. Several keys may be
// in force at once for rotation; a URL names its key with kid.
type Signer struct {
	keys     map[string][]byte
	order    []string // the first key signs
	truncate int
}

// LoadSigner reads "id:hex-key" lines (blank lines and # comments skipped).
func LoadSigner(path string, truncate int) (*Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_SIGNING_KEY_FILE: %w", err)
	}
	s := &Signer{keys: map[string][]byte{}, truncate: truncate}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, hexKey, ok := strings.Cut(line, ":")
		key, err := hex.DecodeString(hexKey)
		switch {
		case !ok || id == "" || !httpx.SafeToken(id):
			return nil, fmt.Errorf("EDGESHELF_SIGNING_KEY_FILE: %s line %d: want id:hex-key", path, n)
		case err != nil || len(key) < 32:
			return nil, fmt.Errorf("EDGESHELF_SIGNING_KEY_FILE: %s line %d: the key must be at least 32 bytes of hex", path, n)
		}
		if _, dup := s.keys[id]; dup {
			return nil, fmt.Errorf("EDGESHELF_SIGNING_KEY_FILE: %s line %d: key id %q repeats", path, n, id)
		}
		s.keys[id] = key
		s.order = append(s.order, id)
	}
	if len(s.order) == 0 {
		return nil, fmt.Errorf("EDGESHELF_SIGNING_KEY_FILE: %s holds no key", path)
	}
	return s, nil
}

// Sign returns path?query with kid and sig appended. The query may be empty.
func (s *Signer) Sign(path string, query url.Values) string {
	q := url.Values{}
	for k, v := range query {
		if k != "sig" {
			q[k] = v
		}
	}
	kid := s.order[0]
	q.Set("kid", kid)
	q.Set("sig", s.mac(kid, path, q))
	return path + "?" + q.Encode()
}

// Verify checks a request's sig against its path and query.
func (s *Signer) Verify(path string, query url.Values) error {
	sig := query.Get("sig")
	if sig == "" {
		return problem.New(http.StatusForbidden, "signature_required", "this URL must be signed (sig and kid parameters)")
	}
	kid := query.Get("kid")
	if _, ok := s.keys[kid]; !ok {
		return problem.New(http.StatusForbidden, "invalid_signature", "unknown signing key id")
	}
	want := s.mac(kid, path, query)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return problem.New(http.StatusForbidden, "invalid_signature", "the signature does not match the URL")
	}
	return nil
}

func (s *Signer) mac(kid, path string, query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := hmac.New(sha256.New, s.keys[kid])
	h.Write([]byte(path))
	for _, k := range keys {
		for _, v := range query[k] {
			h.Write([]byte{0})
			h.Write([]byte(k))
			h.Write([]byte{'='})
			h.Write([]byte(v))
		}
	}
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:min(s.truncate, len(sum))])
}

// ErrNoSigner is returned by SignURL when signing is not configured.
var ErrNoSigner = errors.New("signing is off: set --signing-key-file")

// SignURL signs a full or path-only URL, for `edgeshelf sign`.
func SignURL(s *Signer, raw string) (string, error) {
	if s == nil {
		return "", ErrNoSigner
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	signed := s.Sign(u.EscapedPath(), u.Query())
	if u.Host != "" {
		return u.Scheme + "://" + u.Host + signed, nil
	}
	return signed, nil
}
