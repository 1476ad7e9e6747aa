package transform_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// golden is what testdata/golden/<fixture>_<spec>.json stores of a variant.
type golden struct {
	Width  int          `json:"width"`
	Height int          `json:"height"`
	Grid   [][3]float64 `json:"grid_lab"` // 4×4 cells, row by row, CIELAB D50
}

// compareGolden checks a variant's size (exactly) and 4×4 Lab grid (mean
// ΔE2000) against its golden; UPDATE_GOLDEN=1 rewrites the golden instead.
func compareGolden(t *testing.T, name string, res *transform.Result, grid []colour.Lab) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".json")
	if updateGolden() {
		// One cell a line: reviewable diffs, small files.
		var b bytes.Buffer
		fmt.Fprintf(&b, "{\n \"width\": %d,\n \"height\": %d,\n \"grid_lab\": [\n", res.Width, res.Height)
		for i, c := range grid {
			sep := ","
			if i == len(grid)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "  [%s, %s, %s]%s\n", num2(c.L), num2(c.A), num2(c.B), sep)
		}
		b.WriteString(" ]\n}\n")
		if err := json.Unmarshal(b.Bytes(), &golden{}); err != nil {
			t.Fatalf("golden encoding: %v", err)
		}
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden %s is missing: create it with UPDATE_GOLDEN=1 go test ./transform/ -run 'Golden|Fixture' and review the diff", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if g.Width != res.Width || g.Height != res.Height {
		t.Errorf("rendered %d×%d, golden %s says %d×%d", res.Width, res.Height, path, g.Width, g.Height)
	}
	if len(g.Grid) != len(grid) {
		t.Fatalf("%s: %d grid cells, want %d", path, len(g.Grid), len(grid))
	}
	want := make([]colour.Lab, len(g.Grid))
	for i, c := range g.Grid {
		want[i] = colour.Lab{L: c[0], A: c[1], B: c[2]}
	}
	if de := colour.MeanDeltaE2000(want, grid); de > maxGoldenDeltaE {
		t.Errorf("grid mean ΔE2000 %.2f from golden %s, want ≤ %.1f (if the change is intended: UPDATE_GOLDEN=1)", de, path, maxGoldenDeltaE)
	}
}

// num2 is v with two decimals, without a negative zero.
func num2(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
