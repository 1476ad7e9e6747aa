package transform_test

import (
	"os"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
)

func TestMain(m *testing.M) {
	transform.Startup(transform.Config{VipsThreads: 1})
	code := m.Run()
	transform.Shutdown()
	os.Exit(code)
}
