package origin_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestRoutesGolden walks the fiber router and compares every method and
// path with testdata/routes.golden, taken before origin/ was split into
// product packages: a route lost or renamed by a refactor fails here.
// UPDATE_GOLDEN=1 rewrites the file (review the diff: it is the public and
// admin HTTP surface).
func TestRoutesGolden(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	var lines []string
	for _, r := range h.Server.App().GetRoutes(true) {
		lines = append(lines, r.Method+" "+r.Path)
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "routes.golden")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
	}
	if got != string(want) {
		t.Errorf("routes differ from %s:\n got:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestAdminRoutesNeedToken walks the router: every /admin route must refuse
// a request without a valid token.
func TestAdminRoutesNeedToken(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	n := 0
	for _, r := range h.Server.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/admin") || r.Method == http.MethodHead {
			continue
		}
		n++
		path := strings.NewReplacer(":id", "x", ":hub", "x", ":n", "1").Replace(r.Path)
		for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Basic " + origintest.AdminToken, "Bearer"} {
			req, _ := http.NewRequest(r.Method, h.URL+path, strings.NewReader("{}"))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s with %q: %d, want 401", r.Method, path, auth, resp.StatusCode)
			}
		}
	}
	if n < 2 {
		t.Fatalf("found %d admin routes; the walk is broken", n)
	}
}
