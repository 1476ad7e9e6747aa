// Package modroot finds the module's root directory from a working
// directory inside it, for tests and tools that read the repository's own
// files (fuzz seeds, the demo store, ./bin tools).
package modroot

import (
	"errors"
	"os"
	"path/filepath"
)

// Find walks up from the working directory (a package directory under go
// test) to the directory holding go.mod.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
