package origin_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/edgeshelf/edgeshelf/origin"

// handlerPackages each serve one product; the core wires them.
var handlerPackages = []string{"images", "fulfilment", "admin"}

// sharedPackages sit below the handlers and may import none of them.
var sharedPackages = []string{"variant", "httpx", "signing"}

// imports lists the origin packages a directory's non-test files import.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == module || strings.HasPrefix(path, module+"/") {
				out = append(out, strings.TrimPrefix(strings.TrimPrefix(path, module), "/"))
			}
		}
	}
	return out
}

// TestPackageLayering keeps origin/ split by product: no handler package
// imports another or the core (the core imports them), and the shared
// packages import no handler.
func TestPackageLayering(t *testing.T) {
	for _, pkg := range append(slices.Clone(handlerPackages), sharedPackages...) {
		for _, imp := range imports(t, pkg) {
			if imp == "" {
				t.Errorf("origin/%s imports the core origin package: the core wires the handlers, not the other way", pkg)
			}
			if slices.Contains(handlerPackages, imp) {
				t.Errorf("origin/%s imports origin/%s: handler packages share code only through %v", pkg, imp, sharedPackages)
			}
		}
	}
	if core := imports(t, "."); !slices.Contains(core, "images") || !slices.Contains(core, "admin") {
		t.Errorf("the core imports %v; the walk is broken", core)
	}
}

// TestFileLength keeps every Go file under origin/ (tests included) to
// 450 lines: split by meaning before a file grows into the package.
func TestFileLength(t *testing.T) {
	const maxLines = 450
	n := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if lines := strings.Count(string(data), "\n"); lines > maxLines {
			t.Errorf("origin/%s has %d lines, over %d: split it by meaning", path, lines, maxLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("walked %d files; the walk is broken", n)
	}
}
