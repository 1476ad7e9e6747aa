package storetest

import (
	"crypto/rand"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

// Run checks every invariant documented on store.Blob. newStore is called once
// per subtest and must return an empty store that no other subtest sees (a
// fresh directory, or a fresh prefix in a shared bucket); it registers its own
// cleanup on t.
func Run(t *testing.T, newStore func(t *testing.T) store.Blob) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Blob)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroBytes", testZeroBytes},
		{"Large", testLarge},
		{"NotFound", testNotFound},
		{"ETag", testETag},
		{"IfNoneMatch", testIfNoneMatch},
		{"MaxBytes", testMaxBytes},
		{"StatMatchesGet", testStatMatchesGet},
		{"List", testList},
		{"ListOrder", testListOrder},
		{"Delete", testDelete},
		{"InvalidKey", testInvalidKey},
		{"ConcurrentOverwrite", testConcurrentOverwrite},
		{"CancelledContext", testCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPut(t *testing.T, s store.Blob, key string, data []byte) store.Info {
	t.Helper()
	info, err := s.Put(t.Context(), key, data, store.PutOptions{ContentType: "application/octet-stream"})
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if info.Key != key || info.Size != int64(len(data)) || info.ETag == "" {
		t.Fatalf("Put(%q) = %+v, want key %q, size %d and an ETag", key, info, key, len(data))
	}
	return info
}

func mustGet(t *testing.T, s store.Blob, key string) *store.Object {
	t.Helper()
	obj, err := s.Get(t.Context(), key, store.GetOptions{})
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if obj == nil {
		t.Fatalf("Get(%q) returned no object and no error", key)
	}
	return obj
}

func keys(infos []store.Info) []string {
	out := make([]string, 0, len(infos))
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}
