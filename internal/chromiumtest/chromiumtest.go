// Package chromiumtest finds the Chromium that browser tests drive, with
// the repository's rule for a missing one: skip locally, fail under CI.
// The console's and the client-hints browser tests share it, so every
// browser test follows the same rule.
package chromiumtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Options are chromedp's allocator options for a headless Chromium at
// Path with a fresh profile, kept off the network: this machine's network
// is closed, and background services waiting on refused connections stall
// start-up. extra come last, so they may override.
func Options(t testing.TB, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	return append(opts, extra...)
}

// Path is the browser the tests drive, or ends the test. Without one it
// fails when $CI is set, since a skipped browser test would let CI pass
// without testing, and when $CHROMIUM_BIN names a missing file (a typo
// must not pass as "not installed"); otherwise it skips.
func Path(t testing.TB) string {
	t.Helper()
	p, err := find()
	switch {
	case err == nil:
		return p
	case os.Getenv("CI") != "":
		t.Fatalf("chromium is required when CI is set (a skip would pass CI without the browser test): %v; `make chromium` installs Debian's chromium and chromium-driver", err)
	case os.Getenv("CHROMIUM_BIN") != "":
		t.Fatalf("%v; point CHROMIUM_BIN at a chromium binary or unset it", err)
	}
	t.Skip("chromium is not installed (apt-get install chromium chromium-driver, or make test; with CI set this fails instead)")
	return ""
}

// find is $CHROMIUM_BIN when set, and only it, so pointing it at a
// missing file makes chromium unavailable on purpose; else Debian's
// /usr/bin/chromium or a chromium in PATH.
func find() (string, error) {
	if p := os.Getenv("CHROMIUM_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil { //nolint:gosec // the tester's own setting, in tests only
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
