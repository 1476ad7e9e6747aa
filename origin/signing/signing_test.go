package signing_test

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/signing"
)

func testSigner(t testing.TB) *signing.Signer {
	t.Helper()
	s, err := signing.LoadSigner(origintest.WriteKeyFile(t), 16)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadSignerErrors(t *testing.T) {
	for name, content := range map[string]string{
		"empty":       "# nothing\n",
		"no colon":    strings.Repeat("ab", 32) + "\n",
		"short key":   "k1:abcd\n",
		"not hex":     "k1:" + strings.Repeat("zz", 32) + "\n",
		"repeated id": "k1:" + strings.Repeat("ab", 32) + "\nk1:" + strings.Repeat("cd", 32) + "\n",
		"bad id":      "k 1:" + strings.Repeat("ab", 32) + "\n",
	} {
		p := t.TempDir() + "/keys"
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := signing.LoadSigner(p, 16); err == nil || !strings.Contains(err.Error(), "EDGESHELF_SIGNING_KEY_FILE") {
			t.Errorf("%s: %v, want an error naming the key", name, err)
		}
	}
}

// FuzzSignature: verifying any path and query never panics and fails only
// with a typed 403; whatever is signed verifies, and changing the signed
// query breaks it.
func FuzzSignature(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzSignature: the shared, hostile seeds
	for _, seed := range [][2]string{
		{"/img/label-mug/front/_.webp", "w=100"},
		{"/img/a/b/_.jpg", "w=1&h=2&fit=cover&locale=de-DE"},
		{"/img/a/b/_.jpg", "sig=AAAA&kid=k2&w=1"},
		{"/", ""},
		{"/img/%2e%2e/x", "kid=&sig="},
	} {
		f.Add(seed[0], seed[1])
	}
	s := testSigner(f)
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		if err := s.Verify(path, q); err != nil {
			if p, ok := problem.As(err); !ok || p.Status != 403 {
				t.Fatalf("untyped verify error %v", err)
			}
		}
		signed := s.Sign(path, q)
		i := strings.LastIndex(signed, "?")
		sq, err := url.ParseQuery(signed[i+1:])
		if err != nil {
			t.Fatalf("signed query %q does not parse: %v", signed, err)
		}
		if err := s.Verify(signed[:i], sq); err != nil {
			t.Fatalf("%q does not verify: %v", signed, err)
		}
		sq.Set("tampered", "1")
		if err := s.Verify(signed[:i], sq); err == nil {
			t.Fatalf("%q verified with an extra parameter", signed)
		}
	})
}
