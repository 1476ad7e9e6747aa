package origintest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// AdminToken is the bearer token WriteTokenFile files for tests.
const AdminToken = "test-admin-token-0123456789"

// WriteTokenFile writes an admin token file holding token.
func WriteTokenFile(t testing.TB, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// WriteKeyFile writes a signing key file with two keys, k2 signing.
func WriteKeyFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(p, []byte("# test keys\nk2:"+strings.Repeat("ab", 32)+"\nk1:"+strings.Repeat("cd", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// AdminRequest sends an admin request with the test token and an optional
// body of the given content type.
func (h *Harness) AdminRequest(t testing.TB, method, path, contentType, body string) (Response, []byte) {
	t.Helper()
	headers := []string{"Authorization", "Bearer " + AdminToken}
	if contentType != "" {
		headers = append(headers, "Content-Type", contentType)
	}
	return h.Do(t, method, path, body, headers...)
}

// AdminDo sends an admin request with an optional JSON body.
func (h *Harness) AdminDo(t testing.TB, method, path, body string) (Response, []byte) {
	t.Helper()
	contentType := ""
	if body != "" {
		contentType = "application/json"
	}
	return h.AdminRequest(t, method, path, contentType, body)
}

// Problem is an application/problem+json body.
type Problem struct {
	Type, Title, Detail, Code, Field, Instance string
	Status                                     int
}

// DecodeProblem checks that a response is a complete problem and returns it.
func DecodeProblem(t testing.TB, resp Response, body []byte) Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json (body %s)", ct, body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	if p.Status != resp.StatusCode || p.Code == "" || p.Title == "" || p.Type == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, resp.StatusCode)
	}
	return p
}
