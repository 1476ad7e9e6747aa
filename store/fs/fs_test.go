package fs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/store/storetest"
)

func newStore(t *testing.T) *fs.Store {
	t.Helper()
	s, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Blob { return newStore(t) })
}

func TestNewRejectsNonDirectories(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(t.TempDir(), "missing")} {
		if s, err := fs.New(dir); err == nil {
			_ = s.Close()
			t.Errorf("New(%s) succeeded", dir)
		}
	}
}

// TestSymlinkEscape plants symlinks inside the root that lead outside it, as
// a careless deploy script or a hostile upload tool might.
func TestSymlinkEscape(t *testing.T) {
	s := newStore(t)
	outsideDir := t.TempDir()
	secret := filepath.Join(outsideDir, "secret")
	if err := os.WriteFile(secret, []byte("do not serve"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := s.Dir()
	if err := os.Symlink(secret, filepath.Join(root, "file-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outsideDir, filepath.Join(root, "dir-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "originals"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../"+filepath.Base(outsideDir)+"/secret", filepath.Join(root, "originals", "relative-link")); err != nil {
		t.Fatal(err)
	}

	for _, key := range []string{"file-link", "dir-link/secret", "originals/relative-link"} {
		t.Run(key, func(t *testing.T) {
			ctx := t.Context()
			if obj, err := s.Get(ctx, key, store.GetOptions{}); !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("Get(%q) = %v, %v; want ErrInvalidKey", key, obj, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
			}
		})
	}
	t.Run("write through dir-link", func(t *testing.T) {
		ctx := t.Context()
		if _, err := s.Put(ctx, "dir-link/planted", []byte("x"), store.PutOptions{}); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put through dir-link = %v, want ErrInvalidKey", err)
		}
		if err := s.Delete(ctx, "dir-link/secret"); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Delete through dir-link = %v, want ErrInvalidKey", err)
		}
		if _, err := s.Put(ctx, "dir-link/sub/planted", []byte("x"), store.PutOptions{}); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put through dir-link into a new dir = %v, want ErrInvalidKey", err)
		}
		entries, err := os.ReadDir(outsideDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("the directory outside the root now holds %d entries, want only the secret", len(entries))
		}
		if data, err := os.ReadFile(secret); err != nil || string(data) != "do not serve" {
			t.Errorf("the file outside the root was touched: %q, %v", data, err)
		}
	})
	t.Run("List skips links", func(t *testing.T) {
		got, err := s.List(t.Context(), "")
		if err != nil || len(got) != 0 {
			t.Errorf("List = %v, %v; want nothing", got, err)
		}
	})
}

// TestSymlinkInsideRoot keeps links that stay inside the root working: a
// deploy may point "catalog.yaml" at a versioned file.
func TestSymlinkInsideRoot(t *testing.T) {
	s := newStore(t)
	if _, err := s.Put(t.Context(), "catalogs/v2.yaml", []byte("skus: []\n"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("catalogs/v2.yaml", filepath.Join(s.Dir(), "catalog.yaml")); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Get(t.Context(), "catalog.yaml", store.GetOptions{})
	if err != nil || string(obj.Data) != "skus: []\n" {
		t.Fatalf("Get through an inner link = %v, %v", obj, err)
	}
}

// TestListSkipsTemporaryFiles checks both a temporary file left by a crashed
// Put and those of Puts in flight while List runs.
func TestListSkipsTemporaryFiles(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Put(ctx, "results/a", []byte("a"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".tmp-crashed", "results/.tmp-crashed", `results/bad\name`} {
		if err := os.WriteFile(filepath.Join(s.Dir(), name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			data := make([]byte, 64<<10)
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				key := fmt.Sprintf("results/w%d/%d", w, i%5)
				if _, err := s.Put(ctx, key, data, store.PutOptions{}); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	for range 50 {
		got, err := s.List(ctx, "results/")
		if err != nil {
			t.Errorf("List: %v", err)
			break
		}
		for _, info := range got {
			if strings.Contains(info.Key, ".tmp-") || strings.Contains(info.Key, `\`) {
				t.Errorf("List reported %q", info.Key)
			}
		}
	}
	close(done)
	wg.Wait()

	// Every Put cleaned up after itself: only the planted files remain.
	var leftovers []string
	err := filepath.WalkDir(s.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			rel, _ := filepath.Rel(s.Dir(), p)
			leftovers = append(leftovers, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(leftovers)
	if want := []string{".tmp-crashed", "results/.tmp-crashed"}; !slices.Equal(leftovers, want) {
		t.Errorf("temporary files on disk: %q, want only the planted %q", leftovers, want)
	}
}

func TestLongSegment(t *testing.T) {
	s := newStore(t)
	key := "results/" + strings.Repeat("x", 300) // valid key, too long a file name
	if _, err := s.Put(t.Context(), key, []byte("x"), store.PutOptions{}); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Put of a 300-byte segment = %v, want ErrInvalidKey", err)
	}
	// 250 bytes fit NAME_MAX; the temporary name must not push them over it.
	key = "results/" + strings.Repeat("y", 250)
	if _, err := s.Put(t.Context(), key, []byte("y"), store.PutOptions{}); err != nil {
		t.Errorf("Put of a 250-byte segment = %v", err)
	}
}

// TestStatHashCache: Stat serves a remembered hash only while the file's
// identity holds; an in-place edit that keeps the size and even restores
// the modification time still changes the ETag.
func TestStatHashCache(t *testing.T) {
	s, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.Put(ctx, "a/photo.jpg", []byte("version-1"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(s.Dir(), "a", "photo.jpg")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(full, old, old); err != nil {
		t.Fatal(err)
	}
	first, err := s.Stat(ctx, "a/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Stat(ctx, "a/photo.jpg"); again.ETag != first.ETag {
		t.Fatal("unchanged file, different ETag")
	}
	time.Sleep(20 * time.Millisecond) // let the change time move on
	if err := os.WriteFile(full, []byte("version-2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(full, old, old); err != nil {
		t.Fatal(err)
	}
	edited, err := s.Stat(ctx, "a/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if edited.ETag == first.ETag {
		t.Fatal("an in-place edit with the old modification time kept the old ETag")
	}
	list, err := s.List(ctx, "a/")
	if err != nil || len(list) != 1 || list[0].ETag != edited.ETag {
		t.Fatalf("List %+v %v, want the edited ETag", list, err)
	}

	// Get serves the remembered hash too, and the same edit changes it.
	got, err := s.Get(ctx, "a/photo.jpg", store.GetOptions{})
	if err != nil || string(got.Data) != "version-2" || got.ETag != edited.ETag {
		t.Fatalf("Get = %+v %v, want version-2 with ETag %s", got, err, edited.ETag)
	}
	time.Sleep(20 * time.Millisecond)
	if err := os.WriteFile(full, []byte("version-3"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(full, old, old); err != nil {
		t.Fatal(err)
	}
	third, err := s.Get(ctx, "a/photo.jpg", store.GetOptions{})
	if err != nil || string(third.Data) != "version-3" {
		t.Fatalf("Get = %+v %v, want version-3", third, err)
	}
	if third.ETag == edited.ETag || third.ETag == first.ETag {
		t.Fatal("Get kept a remembered ETag across an in-place edit")
	}
	if again, _ := s.Stat(ctx, "a/photo.jpg"); again.ETag != third.ETag {
		t.Fatalf("Stat after Get = %s, want %s", again.ETag, third.ETag)
	}
}
