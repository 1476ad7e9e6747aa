package s3test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

// findBinary returns the versitygw to run, or ends the test. Without one it
// fails when $CI is set, since a skipped S3 test would let CI pass without
// testing S3, and when $VERSITYGW_BIN names a missing file (a typo must not
// pass as "not installed"); otherwise it skips.
func findBinary(tb testing.TB) string {
	tb.Helper()
	p, err := FindBinary()
	switch {
	case err == nil:
		return p
	case os.Getenv("CI") != "":
		tb.Fatalf("s3test: versitygw is required when CI is set (a skip would pass CI without testing S3): %v; run `make tools` to install it into bin/", err)
	case os.Getenv("VERSITYGW_BIN") != "":
		tb.Fatalf("s3test: %v; run `make tools` to install versitygw into bin/, or unset VERSITYGW_BIN", err)
	}
	tb.Skip("versitygw is not installed: run `make tools` to install it into bin/ (with CI set this fails instead)")
	return ""
}

// FindBinary is $VERSITYGW_BIN, or bin/versitygw in the module root (`make
// tools` installs it there). Pointing VERSITYGW_BIN at a missing file makes
// versitygw unavailable, which is how CI's refusal to skip is checked.
func FindBinary() (string, error) {
	if p := os.Getenv("VERSITYGW_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("VERSITYGW_BIN: %w", err)
		}
		return p, nil
	}
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "versitygw")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("versitygw not found (VERSITYGW_BIN unset): %w", err)
	}
	return p, nil
}
