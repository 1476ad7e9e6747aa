package transform

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/davidbyttow/govips/v2/vips"
)

var (
	startOnce sync.Once
	stopOnce  sync.Once
	startErr  error
)

// Startup starts libvips once per process and writes the output ICC
// profiles libvips reads by path. The operation cache is disabled:
// an origin renders each variant once and caches the encoded bytes itself, so
// libvips' cache would only hold decoded pixels nobody asks for again.
func Startup(cfg Config) error {
	startOnce.Do(func() {
		if applied := appliedMallocArenas(); applied >= 0 && applied != cfg.MallocArenas {
			slog.Warn("EDGESHELF_MALLOC_ARENAS is read from the environment when the process starts; a flag cannot change it",
				"configured", cfg.MallocArenas, "in_effect", applied)
		}
		// The pixel work of a render runs on libvips' worker threads, not
		// on the thread that calls libvips. glib makes a worker with the
		// scheduling settings (nice included) of the thread that asks for
		// it (glib 2.74 here: TestRenderThreadsNiced fails when renders are
		// called from a thread at nice 0), and some glib versions with those
		// of the thread that made libvips' pool. So both libvips' start-up
		// and every render run on threads at the render nice value.
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := lowerThreadPriority(cfg.RenderNice, cfg.RenderIdle); err != nil {
				slog.Warn("renders run at the process's priority", "err", err)
			}
			startupVips(cfg)
		}()
		<-done
		useVector(cfg.VipsVector)
		addRenderProcs(cfg)
		if err := writeProfiles(); err != nil {
			startErr = err
		}
	})
	return startErr
}

func startupVips(cfg Config) {
	vips.LoggingSettings(func(domain string, level vips.LogLevel, msg string) {
		if level <= vips.LogLevelWarning {
			slog.Debug("libvips", "domain", domain, "level", int(level), "msg", msg)
		}
	}, vips.LogLevelWarning)
	vips.Startup(&vips.Config{
		ConcurrencyLevel: max(cfg.VipsThreads, 1),
		MaxCacheFiles:    0,
		MaxCacheMem:      0,
		MaxCacheSize:     0,
	})
}

// Shutdown stops libvips and removes the profile files; call it once,
// after the last render.
func Shutdown() {
	stopOnce.Do(func() {
		vips.Shutdown()
		if p, ok := profilePaths[SRGB]; ok {
			_ = os.RemoveAll(filepath.Dir(p))
		}
	})
}

// TrackedMemory is the memory, in bytes, libvips holds right now for pixel
// buffers. Beside the process's RSS and the Go heap it tells whether memory
// growth is libvips', Go's or the C allocator's.
func TrackedMemory() int64 {
	var s vips.MemoryStats
	vips.ReadVipsMemStats(&s)
	return s.Mem
}
