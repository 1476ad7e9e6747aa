// Package fs is the local-directory implementation of store.Blob, the default
// store that serves the demo catalog with no cloud account.
//
// All file access goes through an os.Root, so neither a crafted key nor a
// symlink planted inside the directory can reach a file outside it.
package fs
