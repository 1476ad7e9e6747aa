package transform

import (
	"log/slog"
	"os"
	"runtime"
)

// addRenderProcs gives the Go scheduler one P (GOMAXPROCS) more per render
// slot, unless GOMAXPROCS is set in the environment. A render spends its
// time in a cgo call, and a goroutine in a cgo call keeps its P until the
// runtime's monitor notices and hands it on (from 20 µs up to 10 ms later):
// with one P per core and every core's P held by a render, a request
// served from cache waited for that hand-off. The renders' threads run at
// low priority (RENDER_NICE, RENDER_SCHED_IDLE), so the kernel, not Go's
// P count, then decides who gets the cores. Measured on 2 cores with
// misses at 3× render capacity (BenchmarkOverload/idle): cache hits kept
// 0.80× of their unloaded throughput with GOMAXPROCS 2 and 0.89× with 4.
func addRenderProcs(cfg Config) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	before := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(before + cfg.concurrency())
	slog.Debug("GOMAXPROCS raised for renders in cgo calls", "from", before, "to", before+cfg.concurrency())
}
