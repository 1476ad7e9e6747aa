package fs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

var _ store.Blob = (*Store)(nil)

// Store keeps each key as a file below a root directory.
type Store struct {
	root *os.Root
	dir  string
	// hashes remembers each file's content ETag by its identity (size,
	// times, inode), so Stat and List — which the catalog and rules pollers
	// call every few seconds — do not read and hash every photo each time.
	mu     sync.Mutex
	hashes map[string]knownHash
}

type knownHash struct {
	id   fileID
	etag string
}

// racyWindow: a file changed this recently may be changed again within the
// file system's timestamp granularity without its identity changing, so its
// cached hash is not trusted (git's "racily clean" rule).
const racyWindow = 2 * time.Second

// New opens dir (which must exist) as a store root.
func New(dir string) (*Store, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("fs store: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("fs store: %s is not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("fs store: %w", err)
	}
	return &Store{root: root, dir: dir, hashes: map[string]knownHash{}}, nil
}

// Dir is the directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

// Close releases the root directory handle.
func (s *Store) Close() error { return s.root.Close() }

// etag is a content hash: file modification times are too coarse on common
// file systems to tell two quick writes of the same size apart.
func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// mapErr turns file-system errors into the store's sentinel errors.
func mapErr(key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, iofs.ErrNotExist),
		// "a/b" when "a" is a file: S3 would simply have no such object.
		errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%w: %s", store.ErrNotFound, key)
	case escapesRoot(err):
		return &store.KeyError{Key: key, Reason: "resolves outside the store root"}
	case errors.Is(err, syscall.ENAMETOOLONG):
		return &store.KeyError{Key: key, Reason: "segment too long for the file system"}
	case errors.Is(err, iofs.ErrPermission):
		return fmt.Errorf("%w: %s: %w", store.ErrUnavailable, key, err)
	default:
		return fmt.Errorf("fs store: %s: %w", key, err)
	}
}

// escapesRoot reports os.Root's refusal to follow a path (usually a planted
// symlink) out of the root. The os package keeps that error unexported, so
// its text is the only handle; it is matched exactly on the innermost error
// so a file name that merely contains the words cannot trigger it.
func escapesRoot(err error) bool {
	var pe *iofs.PathError
	if !errors.As(err, &pe) {
		return false
	}
	inner := pe.Err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	return inner.Error() == "path escapes from parent"
}

// Get reads an object.
func (s *Store) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if err := store.ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := s.root.Open(key)
	if err != nil {
		return nil, mapErr(key, err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to flush
	st, err := f.Stat()
	if err != nil {
		return nil, mapErr(key, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", store.ErrNotFound, key)
	}
	if opts.MaxBytes > 0 && st.Size() > opts.MaxBytes {
		return nil, fmt.Errorf("%w: %s is %d bytes, limit %d", store.ErrTooLarge, key, st.Size(), opts.MaxBytes)
	}
	// Put renames whole files into place, but someone else may append to one
	// by hand: the limit must hold for what is read, not what was stat'ed.
	var r io.Reader = f
	if opts.MaxBytes > 0 {
		r = io.LimitReader(f, opts.MaxBytes+1)
	}
	data, err := readAll(r, st.Size())
	if err != nil {
		return nil, mapErr(key, err)
	}
	if opts.MaxBytes > 0 && int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: %s grew past the limit %d while read", store.ErrTooLarge, key, opts.MaxBytes)
	}
	info := store.Info{Key: key, Size: int64(len(data)), Modified: st.ModTime()}
	// A render reads its source on every cache miss: hashing a 6 MP photo
	// each time cost 1.4 % of a render's CPU, so a file whose identity is
	// unchanged (and old enough to trust it) keeps the ETag it was given.
	// The identity is from before the read: if the file changed meanwhile,
	// the next read or Stat sees another identity and hashes again.
	if known, ok := s.knownETag(key, st); ok && int64(len(data)) == st.Size() {
		info.ETag = known
	} else {
		info.ETag = etag(data)
		s.remember(key, identity(st), info.ETag)
	}
	if opts.IfNoneMatch != "" && opts.IfNoneMatch == info.ETag {
		return nil, fmt.Errorf("%w: %s", store.ErrNotModified, key)
	}
	return &store.Object{Info: info, Data: data}, nil
}

// Stat describes an object without returning its content.
func (s *Store) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := store.ValidateKey(key); err != nil {
		return store.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return store.Info{}, err
	}
	st, err := s.root.Stat(key)
	if err != nil {
		return store.Info{}, mapErr(key, err)
	}
	if st.Mode().IsRegular() {
		if known, ok := s.knownETag(key, st); ok {
			return store.Info{Key: key, Size: st.Size(), ETag: known, Modified: st.ModTime()}, nil
		}
	}
	obj, err := s.Get(ctx, key, store.GetOptions{})
	if err != nil {
		return store.Info{}, err
	}
	return obj.Info, nil
}

// knownETag is the ETag remembered for key if the file still has the
// identity it had when hashed and has not changed within racyWindow.
func (s *Store) knownETag(key string, st iofs.FileInfo) (string, bool) {
	if time.Since(st.ModTime()) <= racyWindow {
		return "", false
	}
	s.mu.Lock()
	known, ok := s.hashes[key]
	s.mu.Unlock()
	if !ok || known.id != identity(st) {
		return "", false
	}
	return known.etag, true
}

// readAll reads r to its end into one buffer sized for the file's stat'ed
// size (plus one byte, to see EOF without growing), instead of io.ReadAll's
// doubling, which copies a 6 MP photo about five times over.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > 1<<31 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) { // the file grew since Stat
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func (s *Store) remember(key string, id fileID, etag string) {
	s.mu.Lock()
	s.hashes[key] = knownHash{id: id, etag: etag}
	s.mu.Unlock()
}

// Put writes an object atomically and durably: a temporary file in the same
// directory is fsynced and renamed over the key, so readers never see a
// partial write, and the directory is fsynced, so once Put returns a crash
// cannot take the object back (the decision log deletes its local copy on
// that promise). A crash before the rename leaves only a temporary file.
func (s *Store) Put(ctx context.Context, key string, data []byte, _ store.PutOptions) (store.Info, error) {
	if err := store.ValidateKey(key); err != nil {
		return store.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return store.Info{}, err
	}
	dir := path.Dir(key)
	if err := s.mkdirAll(dir); err != nil {
		return store.Info{}, mapErr(key, err)
	}
	// The temporary name must not embed the key's base name: a base near the
	// 255-byte NAME_MAX would push the temporary name over it.
	tmp := path.Join(path.Dir(key), tmpPrefix+rand.Text())
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return store.Info{}, mapErr(key, err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = s.root.Remove(tmp)
		return store.Info{}, mapErr(key, err)
	}
	if err := s.root.Rename(tmp, key); err != nil {
		_ = s.root.Remove(tmp)
		return store.Info{}, mapErr(key, err)
	}
	if err := s.syncDir(dir); err != nil {
		return store.Info{}, mapErr(key, err)
	}
	info := store.Info{Key: key, Size: int64(len(data)), ETag: etag(data), Modified: time.Now()}
	// The write has succeeded even if a concurrent Delete removes the file
	// before this Stat: the mtime is a nicety, not a reason to fail.
	if st, err := s.root.Stat(key); err == nil {
		info.Modified = st.ModTime()
	}
	return info, nil
}

// mkdirAll creates dir and its missing parents, and fsyncs the parent of
// each new one: a file's own fsync does not make its directory's name
// durable.
func (s *Store) mkdirAll(dir string) error {
	if dir == "." {
		return nil
	}
	if st, err := s.root.Stat(dir); err == nil && st.IsDir() {
		return nil
	}
	if err := s.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for d := dir; d != "."; d = path.Dir(d) {
		if err := s.syncDir(path.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// syncDir fsyncs a directory, making the names in it durable.
func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	return errors.Join(serr, d.Close())
}

// Delete removes an object; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// A directory is no object (S3 has none to delete): removing an empty
	// one would be harmless, a non-empty one would fail with ENOTEMPTY.
	st, err := s.root.Lstat(key)
	if err == nil && st.IsDir() {
		return nil
	}
	if err == nil {
		err = s.root.Remove(key)
	}
	if err = mapErr(key, err); errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// tmpPrefix names Put's temporary files, which List never reports.
const tmpPrefix = ".tmp-"

// isKey tells files a Get could serve from names put there by hand.
func isKey(p string) bool { return store.ValidateKey(p) == nil }

// List returns every object whose key starts with prefix, in key order.
// Temporary files of in-flight Puts, and files whose names are no valid key
// (put there by hand), are skipped.
func (s *Store) List(ctx context.Context, prefix string) ([]store.Info, error) {
	if err := store.ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Walk only the deepest directory the prefix names.
	start := "."
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = prefix[:i]
	}
	var out []store.Info
	err := iofs.WalkDir(s.root.FS(), start, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, iofs.ErrNotExist) {
				return iofs.SkipDir
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return iofs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) || strings.HasPrefix(path.Base(p), tmpPrefix) || !isKey(p) {
			return nil
		}
		info, err := s.Stat(ctx, p)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil // deleted while we walked
			}
			return err
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, mapErr(prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
