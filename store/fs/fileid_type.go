package fs

// fileID is what identifies a file's content without reading it: a rewrite
// through Put is a rename (a new inode), an edit in place changes the size or
// the modification and change times.
type fileID struct {
	size, mtime, ctime int64
	ino                uint64
}
