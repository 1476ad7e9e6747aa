package fuzzseed_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, file string
		want       []any
		wantErr    string
	}{
		{name: "bytes", file: "go test fuzz v1\n[]byte(\"a\\x00\\xffb\")\n", want: []any{[]byte("a\x00\xffb")}},
		{name: "two strings", file: "go test fuzz v1\nstring(\"/img\")\nstring(`w=1&h=2`)\n", want: []any{"/img", "w=1&h=2"}},
		{name: "uint8 slice", file: "go test fuzz v1\n[]uint8(\"x\")", want: []any{[]byte("x")}},
		{name: "no header", file: "string(\"x\")\n", wantErr: "go test fuzz v1"},
		{name: "no value", file: "go test fuzz v1\n", wantErr: "one value per line"},
		{name: "other type", file: "go test fuzz v1\nint(4)\n", wantErr: "string literal"},
		{name: "array, not slice", file: "go test fuzz v1\n[2]byte(\"ab\")\n", wantErr: "want []byte"},
		{name: "bad quoting", file: "go test fuzz v1\nstring(\"\\q\")\n", wantErr: "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fuzzseed.Parse([]byte(tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %v, %v; want an error mentioning %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse = %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

// TestCorpusFilesParse reads every seed directory of the repository: each
// names a fuzz target that exists, and each file parses.
func TestCorpusFilesParse(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "fuzz")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	targets := fuzzTargets(t)
	if len(dirs) == 0 {
		t.Fatal("no seed directories")
	}
	for _, d := range dirs {
		if !targets[d.Name()] {
			t.Errorf("testdata/fuzz/%s: no fuzz target of that name", d.Name())
		}
		seeds, err := fuzzseed.Load(d.Name())
		if err != nil {
			t.Error(err)
			continue
		}
		t.Logf("%s: %d seeds", d.Name(), len(seeds))
	}
	for name := range targets {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			t.Errorf("fuzz target %s has no seeds in testdata/fuzz", name)
		}
	}
}

// fuzzTargets finds every func FuzzX in the module's test files.
func fuzzTargets(t *testing.T) map[string]bool {
	t.Helper()
	targets := map[string]bool{}
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bin" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != filepath.Join("..", "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(src, []byte("\n")) {
			if name, ok := bytes.CutPrefix(line, []byte("func Fuzz")); ok {
				targets["Fuzz"+string(name[:bytes.IndexByte(name, '(')])] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return targets
}
