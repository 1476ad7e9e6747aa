package transform_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/edgeshelf/edgeshelf/transform"
)

// TestMain starts libvips once for the package and, after the tests and
// libvips' shutdown, fails the run if a render left a goroutine behind.
func TestMain(m *testing.M) {
	// The shipped defaults, as the server starts libvips (liborc off, malloc
	// arenas capped).
	if err := transform.Startup(transform.Defaults()); err != nil {
		panic(err)
	}
	goleak.VerifyTestMain(vipsShutdown{m})
}

// vipsShutdown stops libvips after the tests and before the leak check.
type vipsShutdown struct{ m *testing.M }

func (v vipsShutdown) Run() int {
	code := v.m.Run()
	transform.Shutdown()
	return code
}
