package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

func testRoundTrip(t *testing.T, s store.Blob) {
	tests := []struct {
		key  string
		data []byte
	}{
		{"catalog.yaml", []byte("skus: []\n")},
		{"originals/amber-oud-50ml/front.jpg", randomBytes(t, 4096)},
		{"originals/amber-oud-50ml/front@eu-waw.jpg", randomBytes(t, 1000)},
		{"results/ab/cd/ef0123", []byte{0, 1, 2, 0, 0xff, '\n', '\r'}},
		{"originals/crème brûlée/side view.png", []byte("unicode and spaces")},
		{"a", []byte("x")},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			put := mustPut(t, s, tc.key, tc.data)
			got := mustGet(t, s, tc.key)
			if !bytes.Equal(got.Data, tc.data) {
				t.Fatalf("Get(%q) returned %d bytes that differ from the %d put", tc.key, len(got.Data), len(tc.data))
			}
			if got.Key != tc.key || got.Size != int64(len(tc.data)) || got.ETag != put.ETag {
				t.Errorf("Get(%q).Info = %+v, want key, size %d and Put's ETag %s", tc.key, got.Info, len(tc.data), put.ETag)
			}
		})
	}
}

func testZeroBytes(t *testing.T, s store.Blob) {
	put := mustPut(t, s, "empty/object", nil)
	got := mustGet(t, s, "empty/object")
	if len(got.Data) != 0 || got.Size != 0 {
		t.Errorf("Get = %d bytes, Size %d; want an empty object", len(got.Data), got.Size)
	}
	if got.ETag != put.ETag {
		t.Errorf("Get ETag %s, Put ETag %s", got.ETag, put.ETag)
	}
	st, err := s.Stat(t.Context(), "empty/object")
	if err != nil || st.Size != 0 || st.ETag != put.ETag {
		t.Errorf("Stat = %+v, %v; want size 0 and ETag %s", st, err, put.ETag)
	}
	list, err := s.List(t.Context(), "empty/")
	if err != nil || !slices.Equal(keys(list), []string{"empty/object"}) {
		t.Errorf("List(empty/) = %v, %v", keys(list), err)
	}
}

func testLarge(t *testing.T, s store.Blob) {
	data := randomBytes(t, 5<<20)
	mustPut(t, s, "originals/big/front.tif", data)
	got := mustGet(t, s, "originals/big/front.tif")
	if !bytes.Equal(got.Data, data) {
		t.Fatalf("5 MiB object came back as %d different bytes", len(got.Data))
	}
}

func testNotFound(t *testing.T, s store.Blob) {
	mustPut(t, s, "dir/file", []byte("x"))
	tests := []struct{ name, key string }{
		{"never put", "missing.yaml"},
		{"nested never put", "originals/none/front.jpg"},
		{"a directory is no object", "dir"},
		{"below a file", "dir/file/below"},
		{"prefix of a key", "dir/fil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := s.Get(t.Context(), tc.key, store.GetOptions{})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get(%q) = %v, want ErrNotFound", tc.key, err)
			}
			if obj != nil {
				t.Errorf("Get(%q) returned an object with its error", tc.key)
			}
			if _, err := s.Stat(t.Context(), tc.key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Stat(%q) = %v, want ErrNotFound", tc.key, err)
			}
			if _, err := s.Get(t.Context(), tc.key, store.GetOptions{IfNoneMatch: `"x"`, MaxBytes: 1}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get(%q) with options = %v, want ErrNotFound", tc.key, err)
			}
		})
	}
}

func testMaxBytes(t *testing.T, s store.Blob) {
	const key = "originals/sku/front.jpg"
	data := randomBytes(t, 100)
	mustPut(t, s, key, data)
	mustPut(t, s, "empty", nil)
	tests := []struct {
		key      string
		maxBytes int64
		wantErr  error
	}{
		{key, 1, store.ErrTooLarge},
		{key, 99, store.ErrTooLarge},
		{key, 100, nil},
		{key, 101, nil},
		{key, 0, nil}, // no limit
		{"empty", 1, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.key, tc.maxBytes), func(t *testing.T) {
			obj, err := s.Get(t.Context(), tc.key, store.GetOptions{MaxBytes: tc.maxBytes})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || obj != nil {
					t.Fatalf("Get(MaxBytes=%d) = %v, %v; want no object and %v", tc.maxBytes, obj, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(MaxBytes=%d) = %v", tc.maxBytes, err)
			}
			if tc.key == key && !bytes.Equal(obj.Data, data) {
				t.Errorf("Get(MaxBytes=%d) returned %d different bytes", tc.maxBytes, len(obj.Data))
			}
		})
	}
}

func testStatMatchesGet(t *testing.T, s store.Blob) {
	objects := map[string][]byte{
		"catalog.yaml":            []byte("hubs: []\n"),
		"originals/sku/front.png": randomBytes(t, 3000),
		"empty":                   {},
	}
	for key, data := range objects {
		t.Run(key, func(t *testing.T) {
			put := mustPut(t, s, key, data)
			got := mustGet(t, s, key)
			st, err := s.Stat(t.Context(), key)
			if err != nil {
				t.Fatalf("Stat(%q): %v", key, err)
			}
			if st.Key != key || st.Size != got.Size || st.ETag != got.ETag || st.ETag != put.ETag {
				t.Errorf("Stat(%q) = %+v, Get = %+v, Put = %+v; want the same key, size and ETag", key, st, got.Info, put)
			}
			if st.Modified.IsZero() {
				t.Errorf("Stat(%q) has no modification time", key)
			}
		})
	}
}
