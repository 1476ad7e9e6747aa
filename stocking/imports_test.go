package stocking_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The forecasting and planning code is pure Go: its packages import the
// standard library and each other, nothing else (no HTTP, no vips, no
// store), so it can be read, tested and reused on its own.
func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	for _, dir := range []string{"demand", "events", "forecast", "plan"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v (%d files)", dir, err, len(files))
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				std := !strings.Contains(strings.Split(path, "/")[0], ".")
				if !std && !strings.HasPrefix(path, "github.com/edgeshelf/edgeshelf/stocking/") {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
}
