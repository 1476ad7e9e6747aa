package gallery_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/gallery"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/transform"
)

// demoDir is the demo store in the repository.
const demoDir = "../demo"

// demoCopy is a private copy of the demo store's catalog and originals,
// with edit applied to catalog.yaml.
func demoCopy(t *testing.T, edit func(string) string) store.Blob {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(filepath.Join(dst, "originals"), os.DirFS(filepath.Join(demoDir, "originals"))); err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(filepath.Join(demoDir, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "catalog.yaml"), []byte(edit(string(yaml))), 0o600); err != nil {
		t.Fatal(err)
	}
	blob, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// mustReplace is strings.Replace that fails the test when old is absent,
// so a change to the demo catalog cannot silently void a test.
func mustReplace(t *testing.T, s, old, repl string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the demo catalog no longer contains %q", old)
	}
	return strings.Replace(s, old, repl, 1)
}

// put stores a file in blob.
func put(t *testing.T, blob store.Blob, key string, data []byte) {
	t.Helper()
	if _, err := blob.Put(context.Background(), key, data, store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// read reads a file of the demo store.
func read(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(demoDir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lit re-encodes a demo photo under a light: per-channel gains in linear
// light (transform.MakeSource, libvips), as a different lamp or exposure
// would have shot it.
func lit(t *testing.T, src []byte, gains [3]float64) []byte {
	t.Helper()
	out, err := transform.MakeSource(src, transform.SourceOptions{Cast: &gains, Quality: 90})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// loadCatalog loads the catalog of blob.
func loadCatalog(t *testing.T, blob store.Blob) *catalog.Catalog {
	t.Helper()
	cat, _, err := catalog.Load(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// newService is a gallery service with the default limits.
func newService(t *testing.T, blob store.Blob) *gallery.Service {
	t.Helper()
	s, err := gallery.New(gallery.DefaultConfig(), blob, transform.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checksOf lists a photo's flagged checks.
func checksOf(p gallery.Photo) []string {
	out := []string{}
	for _, f := range p.Flags {
		out = append(out, f.Check)
	}
	return out
}

// photo finds a photo of a report.
func photo(t *testing.T, rep *gallery.SKUReport, view, hub string) gallery.Photo {
	t.Helper()
	for _, p := range rep.Photos {
		if p.View == view && p.Hub == hub {
			return p
		}
	}
	t.Fatalf("%s has no photo %s@%s", rep.SKU, view, hub)
	return gallery.Photo{}
}
