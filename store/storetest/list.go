package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

func testList(t *testing.T, s store.Blob) {
	stored := []string{
		"catalog.yaml",
		"originals/a/front.jpg",
		"originals/a/side.jpg",
		"originals/b/front.jpg",
		"originals/b/front@eu-waw.jpg",
		"results/ab1",
		"results/abc/d",
		"results/b2",
		"rules/active.yaml",
	}
	puts := map[string]store.Info{}
	for i, k := range stored {
		puts[k] = mustPut(t, s, k, bytes.Repeat([]byte{'x'}, i))
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", stored},
		{"originals/", stored[1:5]},
		{"originals", stored[1:5]},
		{"originals/a/", stored[1:3]},
		{"originals/b/front", stored[3:5]},
		{"results/ab", stored[5:7]}, // a partial file name matches files and "dirs"
		{"results/abc/", stored[6:7]},
		{"r", stored[5:]},
		{"rules/active.yaml", stored[8:]},
		{"nomatch/", nil},
		{"zzz", nil},
		{"originals/c/", nil},
		{"catalog.yaml/", nil},
	}
	for _, tc := range tests {
		t.Run("prefix="+tc.prefix, func(t *testing.T) {
			got, err := s.List(t.Context(), tc.prefix)
			if err != nil {
				t.Fatalf("List(%q): %v", tc.prefix, err)
			}
			if !slices.Equal(keys(got), tc.want) {
				t.Fatalf("List(%q) = %q, want %q", tc.prefix, keys(got), tc.want)
			}
			for _, info := range got {
				if p := puts[info.Key]; info.Size != p.Size || info.ETag != p.ETag {
					t.Errorf("List(%q) reports %+v, Put returned %+v", tc.prefix, info, p)
				}
			}
		})
	}
	for _, prefix := range []string{"/abs", "a//b", "../", "a/../b/", "a\\b"} {
		if _, err := s.List(t.Context(), prefix); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("List(%q) = %v, want ErrInvalidKey", prefix, err)
		}
	}
}

// testListOrder uses names whose byte order differs from a directory walk's
// order: '-' and '.' sort before '/', '0' after it, upper case before lower.
func testListOrder(t *testing.T, s store.Blob) {
	want := []string{"sort/A", "sort/a-b", "sort/a.b", "sort/a/b", "sort/a/c/d", "sort/a0", "sort/b"}
	for _, i := range []int{6, 3, 0, 5, 1, 4, 2} {
		mustPut(t, s, want[i], []byte(want[i]))
	}
	got, err := s.List(t.Context(), "sort/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(got), want) {
		t.Errorf("List = %q, want lexical order %q", keys(got), want)
	}
}

func testDelete(t *testing.T, s store.Blob) {
	mustPut(t, s, "results/x", []byte("x"))
	mustPut(t, s, "results/y/z", []byte("z"))
	if err := s.Delete(t.Context(), "results/x"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(t.Context(), "results/x", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(t.Context(), "results/x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	for _, key := range []string{"results/x", "never/put", "results/y", "results/y/z/w"} {
		if err := s.Delete(t.Context(), key); err != nil {
			t.Errorf("Delete(%q) of no object = %v, want nil", key, err)
		}
	}
	got, err := s.List(t.Context(), "")
	if err != nil || !slices.Equal(keys(got), []string{"results/y/z"}) {
		t.Errorf("List after deletes = %q, %v; want only results/y/z", keys(got), err)
	}
	if got := mustGet(t, s, "results/y/z"); string(got.Data) != "z" {
		t.Errorf("Get(results/y/z) = %q after deleting its \"directory\"", got.Data)
	}
}
