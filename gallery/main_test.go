package gallery_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/edgeshelf/edgeshelf/transform"
)

// TestMain starts libvips once for the package; after the tests and
// libvips' shutdown it fails the run if a measurement left a goroutine
// behind.
func TestMain(m *testing.M) {
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
