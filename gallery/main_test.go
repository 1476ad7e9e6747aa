package gallery_test

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/transform/vipstest"
)

// TestMain starts libvips once for the package and fails the run if a
// measurement left a goroutine behind.
func TestMain(m *testing.M) { vipstest.Main(m) }
