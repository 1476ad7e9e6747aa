package console_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// chromiumPath is the browser the tests drive, or ends the test. Without one
// it fails when $CI is set, since a skipped browser test would let CI pass
// without testing the console, and when $CHROMIUM_BIN names a missing file
// (a typo must not pass as "not installed"); otherwise it skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := findChromium()
	switch {
	case err == nil:
		return p
	case os.Getenv("CI") != "":
		t.Fatalf("chromium is required when CI is set (a skip would pass CI without testing the console): %v; `make chromium` installs Debian's chromium and chromium-driver", err)
	case os.Getenv("CHROMIUM_BIN") != "":
		t.Fatalf("%v; point CHROMIUM_BIN at a chromium binary or unset it", err)
	}
	t.Skip("chromium is not installed (apt-get install chromium chromium-driver, or make test; with CI set this fails instead)")
	return ""
}

// findChromium is $CHROMIUM_BIN when set, and only it, so pointing it at a
// missing file makes chromium unavailable on purpose; else Debian's
// /usr/bin/chromium or a chromium in PATH.
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROMIUM_BIN: %w", err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("chromium not found at /usr/bin/chromium or in PATH (CHROMIUM_BIN unset)")
}
