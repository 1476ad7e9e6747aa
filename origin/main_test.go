package origin_test

import (
	"os"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
)

func TestMain(m *testing.M) {
	if err := transform.Startup(transform.Config{VipsThreads: 1}); err != nil {
		panic(err)
	}
	code := m.Run()
	transform.Shutdown()
	os.Exit(code)
}
