// Package fuzzseed adds the shared seed corpus of a fuzz target to it. The
// canonical seeds live in the repository's testdata/fuzz/<FuzzName>/, in
// Go's corpus file format ("go test fuzz v1"), where reviewers find the
// hostile inputs in one place; Go itself only reads
// <package>/testdata/fuzz/<FuzzName>/, so each fuzz target calls Add.
package fuzzseed

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

// header is the first line of every corpus file.
const header = "go test fuzz v1"

// Add reads every file of testdata/fuzz/<f.Name()>/ at the module root and
// adds its values as a seed. A missing or empty directory, or a file that
// does not parse, fails the target: a seed corpus that silently went away
// would leave the fuzz test testing less.
func Add(f *testing.F) {
	f.Helper()
	seeds, err := Load(f.Name())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s...)
	}
}

// Load returns the values of each seed file of the named target, in file
// name order.
func Load(target string) ([][]any, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, fmt.Errorf("fuzzseed: %w", err)
	}
	dir := filepath.Join(root, "testdata", "fuzz", target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fuzzseed: %w", err)
	}
	var seeds [][]any
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("fuzzseed: %w", err)
		}
		values, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("fuzzseed: %s/%s: %w", target, e.Name(), err)
		}
		seeds = append(seeds, values)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("fuzzseed: no seed files in %s", dir)
	}
	return seeds, nil
}

// Parse reads one corpus file. Only the types our fuzz targets take are
// supported: []byte("…") and string("…"), with interpreted or raw string
// literals.
func Parse(data []byte) ([]any, error) {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != header {
		return nil, fmt.Errorf("want %q on the first line and one value per line after it", header)
	}
	values := make([]any, 0, len(lines)-1)
	for i, line := range lines[1:] {
		v, err := parseValue(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		values = append(values, v)
	}
	return values, nil
}

func parseValue(line string) (any, error) {
	expr, err := parser.ParseExpr(line)
	if err != nil {
		return nil, err
	}
	call, ok := expr.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil, errors.New(`want []byte("…") or string("…")`)
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return nil, errors.New("want a string literal argument")
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return nil, err
	}
	switch fn := call.Fun.(type) {
	case *ast.ArrayType:
		if elt, ok := fn.Elt.(*ast.Ident); ok && fn.Len == nil && (elt.Name == "byte" || elt.Name == "uint8") {
			return []byte(s), nil
		}
	case *ast.Ident:
		if fn.Name == "string" {
			return s, nil
		}
	}
	return nil, errors.New(`want []byte("…") or string("…")`)
}
