package origintest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// UploadDemo copies the demo store (catalog, originals, rules, inventory)
// into a blob store.
func UploadDemo(t testing.TB, dst store.Blob) {
	t.Helper()
	root := DemoDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		wanted := rel == "catalog.yaml" || strings.HasPrefix(rel, "originals/") || strings.HasPrefix(rel, "rules/") || strings.HasPrefix(rel, "inventory/")
		if !wanted || strings.HasSuffix(rel, ".md") || strings.HasSuffix(rel, ".txt") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = dst.Put(context.Background(), rel, data, store.PutOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ReasonOf is the reason a decision gives for passing over node.
func ReasonOf(alts []routing.Alternative, node string) (string, bool) {
	for _, a := range alts {
		if a.Node.ID == node {
			return a.Reason, true
		}
	}
	return "", false
}
