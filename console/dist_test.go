package console_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDistMatchesSources rebuilds the console from web/ into a temporary
// directory and compares it file by file with the committed dist/, which is
// what the binary embeds: an edit to web/src without `make console` fails
// here. Vite names assets by content hash and builds the same bytes from
// the same sources and lockfile, so the comparison is exact. It needs
// Node.js and web/node_modules (`make console-deps`, i.e. npm ci) and no
// network.
func TestDistMatchesSources(t *testing.T) {
	npm := nodeToolchain(t)
	out := t.TempDir()
	// The build script type-checks first (tsc), as `make console` does.
	cmd := exec.Command(npm, "run", "build", "--", "--outDir", out, "--emptyOutDir", "--logLevel", "warn")
	cmd.Dir = "web"
	// A developer's NODE_ENV=development would build a different bundle.
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rebuilding the console from web/: %v\n%s", err, b)
	}
	want, got := readTree(t, out), readTree(t, "dist")
	var diffs []string
	for _, name := range union(want, got) {
		w, inBuild := want[name]
		g, inDist := got[name]
		switch {
		case !inDist:
			diffs = append(diffs, name+": built from the sources, missing from dist/")
		case !inBuild:
			diffs = append(diffs, name+": in dist/, not built from the sources")
		case !bytes.Equal(w, g):
			diffs = append(diffs, fmt.Sprintf("%s: differs (%d bytes built, %d in dist/)", name, len(w), len(g)))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("console/dist does not match console/web: run `make console` and commit console/dist\n  %s", strings.Join(diffs, "\n  "))
	}
}

// nodeToolchain returns npm once Node.js (20.19 or later, what Vite 7
// needs) and web/node_modules are there, or ends the test: it fails when
// $CI is set, so CI cannot pass without checking the build, else skips.
func nodeToolchain(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("the console build check needs %s when CI is set (a skip would pass CI with a stale console/dist); `make console-deps` installs the packages", why)
		}
		t.Skipf("needs %s (`make console-deps`)", why)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		missing("npm and Node.js 20.19+")
	}
	check := exec.Command("node", "-e", `const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)`)
	if err := check.Run(); err != nil {
		missing("Node.js 20.19+")
	}
	if _, err := os.Stat(filepath.Join("web", "node_modules", ".bin", "vite")); err != nil {
		missing("console/web/node_modules (npm ci)")
	}
	return npm
}

// readTree reads every file below dir by slash-separated relative name.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func union(a, b map[string][]byte) []string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}
