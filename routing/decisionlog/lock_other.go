//go:build !unix

package decisionlog

import "os"

// Without flock a directory must not be shared between processes; a single
// process knows its own open segment and never ships it.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlinked(*os.File) bool { return false }
