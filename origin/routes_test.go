package origin_test

import (
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
	tokens := writeTokenFile(t, adminToken)
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
