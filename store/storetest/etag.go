package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

func testETag(t *testing.T, s store.Blob) {
	const key = "inventory/eu-waw.json"
	a := []byte(`{"amber-oud-50ml": 10}`)
	b := []byte(`{"amber-oud-50ml": 11}`) // same size: only the content differs

	first := mustPut(t, s, key, a)
	again := mustPut(t, s, key, a)
	if again.ETag != first.ETag {
		t.Errorf("same content put twice: ETags %s and %s, want stable", first.ETag, again.ETag)
	}
	changed := mustPut(t, s, key, b) // right after the last Put: mtime cannot tell them apart
	if changed.ETag == first.ETag {
		t.Fatalf("content changed but the ETag %s did not", changed.ETag)
	}
	if got := mustGet(t, s, key); got.ETag != changed.ETag || !bytes.Equal(got.Data, b) {
		t.Errorf("Get after overwrite = %q ETag %s, want %q ETag %s", got.Data, got.ETag, b, changed.ETag)
	}
	back := mustPut(t, s, key, a)
	if back.ETag != first.ETag {
		t.Errorf("original content put back: ETag %s, want %s again", back.ETag, first.ETag)
	}
}

func testIfNoneMatch(t *testing.T, s store.Blob) {
	const key = "rules/active.yaml"
	old := mustPut(t, s, key, []byte("version: 1\n"))
	cur := mustPut(t, s, key, []byte("version: 2\n"))
	tests := []struct {
		name        string
		ifNoneMatch string
		wantErr     error
	}{
		{"current", cur.ETag, store.ErrNotModified},
		{"stale", old.ETag, nil},
		{"unrelated", `"0123456789abcdef"`, nil},
		{"none", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := s.Get(t.Context(), key, store.GetOptions{IfNoneMatch: tc.ifNoneMatch})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Get(IfNoneMatch=%s) = %v, want %v", tc.ifNoneMatch, err, tc.wantErr)
				}
				if obj != nil {
					t.Errorf("Get(IfNoneMatch=%s) returned data with ErrNotModified", tc.ifNoneMatch)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(IfNoneMatch=%s) = %v, want the object", tc.ifNoneMatch, err)
			}
			if string(obj.Data) != "version: 2\n" || obj.ETag != cur.ETag {
				t.Errorf("Get(IfNoneMatch=%s) = %q ETag %s, want version 2 ETag %s", tc.ifNoneMatch, obj.Data, obj.ETag, cur.ETag)
			}
		})
	}
}
