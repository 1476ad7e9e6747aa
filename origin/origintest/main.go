package origintest

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/edgeshelf/edgeshelf/transform/vipstest"
)

// Main is the TestMain of the origin packages: it starts libvips once and,
// after every test ran and libvips stopped, fails the run if a goroutine
// was left behind: a server, poller, flight or S3 connection that outlives
// its test.
func Main(m *testing.M) {
	vipstest.Main(m,
		// fasthttp's idle-worker cleaner sleeps MaxIdleWorkerDuration
		// (10 s) between sweeps and sees that its server stopped only when
		// it wakes: every shut-down server leaves one for up to 10 s.
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		// fasthttp refreshes its cached Date header once a second in one
		// process-wide goroutine, started by the first server, never
		// stopped.
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	)
}
