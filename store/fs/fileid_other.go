//go:build !linux

package fs

import iofs "io/fs"

// identity without inode and change time: elsewhere than Linux the size and
// modification time (and the racy window) decide.
func identity(fi iofs.FileInfo) fileID {
	return fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
