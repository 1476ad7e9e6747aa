package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
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

func testInvalidKey(t *testing.T, s store.Blob) {
	ctx := t.Context()
	invalid := []string{"", "/abs", "a/../b", "a//b", "a\x00b", "..", ".", "a/./b", "a\\b", "trailing/", "../escape", "a\nb"}
	for _, key := range invalid {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			ops := map[string]error{}
			_, ops["Get"] = s.Get(ctx, key, store.GetOptions{})
			_, ops["Put"] = s.Put(ctx, key, []byte("x"), store.PutOptions{})
			_, ops["Stat"] = s.Stat(ctx, key)
			ops["Delete"] = s.Delete(ctx, key)
			for op, err := range ops {
				if !errors.Is(err, store.ErrInvalidKey) {
					t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, key, err)
				}
			}
		})
	}
	if got, err := s.List(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("after rejected Puts, List = %q, %v; want empty", keys(got), err)
	}
}

// testConcurrentOverwrite has writers replace one key with payloads of
// different sizes while readers Get it. Every Get must return exactly one of
// the payloads with the ETag a Put of that payload returned.
func testConcurrentOverwrite(t *testing.T, s store.Blob) {
	const (
		key      = "results/hot"
		writers  = 4
		readers  = 4
		putsEach = 25
	)
	payloads := make([][]byte, writers)
	for i := range payloads {
		p := randomBytes(t, 16<<10+i*1021)
		p[0] = byte(i) // identifies the payload
		payloads[i] = p
	}
	first := mustPut(t, s, key, payloads[0])

	var (
		mu       sync.Mutex
		putETags = map[int]map[string]bool{0: {first.ETag: true}}
		seen     []struct {
			idx  int
			etag string
		}
		wg, readWG sync.WaitGroup
		done       = make(chan struct{})
	)
	ctx := t.Context()
	for w := range writers {
		wg.Go(func() {
			for range putsEach {
				info, err := s.Put(ctx, key, payloads[w], store.PutOptions{})
				if err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				mu.Lock()
				if putETags[w] == nil {
					putETags[w] = map[string]bool{}
				}
				putETags[w][info.ETag] = true
				mu.Unlock()
			}
		})
	}
	for range readers {
		readWG.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-done:
					if n > 0 {
						return
					}
				default:
				}
				obj, err := s.Get(ctx, key, store.GetOptions{})
				if err != nil {
					t.Errorf("Get during overwrites: %v", err)
					return
				}
				idx := -1
				if len(obj.Data) > 0 && int(obj.Data[0]) < writers && bytes.Equal(obj.Data, payloads[obj.Data[0]]) {
					idx = int(obj.Data[0])
				}
				if idx < 0 || obj.Size != int64(len(obj.Data)) {
					t.Errorf("Get returned %d bytes (Size %d) matching no complete payload", len(obj.Data), obj.Size)
					return
				}
				mu.Lock()
				seen = append(seen, struct {
					idx  int
					etag string
				}{idx, obj.ETag})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(done)
	readWG.Wait()

	for _, g := range seen {
		if !putETags[g.idx][g.etag] {
			t.Errorf("Get returned payload %d with ETag %s; Puts of it returned %v", g.idx, g.etag, putETags[g.idx])
		}
	}
	for i := range writers {
		for j := i + 1; j < writers; j++ {
			for e := range putETags[i] {
				if putETags[j][e] {
					t.Errorf("payloads %d and %d share the ETag %s", i, j, e)
				}
			}
		}
	}
	if len(seen) == 0 {
		t.Error("readers saw nothing")
	}
}

func testCancelledContext(t *testing.T, s store.Blob) {
	mustPut(t, s, "kept", []byte("kept"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ops := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, "kept", store.GetOptions{}); return err }},
		{"GetMissing", func() error { _, err := s.Get(ctx, "missing", store.GetOptions{}); return err }},
		{"Put", func() error { _, err := s.Put(ctx, "new", []byte("new"), store.PutOptions{}); return err }},
		{"Stat", func() error { _, err := s.Stat(ctx, "kept"); return err }},
		{"List", func() error { _, err := s.List(ctx, ""); return err }},
		{"Delete", func() error { return s.Delete(ctx, "kept") }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.call()
			// Callers tell a client that went away from a missing object or
			// an outage by this: a cancelled Get must not poison a negative cache.
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want context.Canceled", op.name, err)
			}
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s with a cancelled context = %v, must not claim ErrNotFound or ErrUnavailable", op.name, err)
			}
		})
	}
	if _, err := s.Get(t.Context(), "new", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a cancelled Put stored its object: Get = %v", err)
	}
	if got := mustGet(t, s, "kept"); string(got.Data) != "kept" {
		t.Errorf("a cancelled Delete removed the object: Get = %q", got.Data)
	}
}
