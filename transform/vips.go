package transform

import (
	"log/slog"
	"sync"

	"github.com/davidbyttow/govips/v2/vips"
)

var (
	startOnce sync.Once
	stopOnce  sync.Once
)

// Startup starts libvips once per process. The operation cache is disabled:
// an origin renders each variant once and caches the encoded bytes itself, so
// libvips' cache would only hold decoded pixels nobody asks for again.
func Startup(cfg Config) {
	startOnce.Do(func() {
		vips.LoggingSettings(func(domain string, level vips.LogLevel, msg string) {
			if level <= vips.LogLevelWarning {
				slog.Debug("libvips", "domain", domain, "level", int(level), "msg", msg)
			}
		}, vips.LogLevelWarning)
		vips.Startup(&vips.Config{
			ConcurrencyLevel: cfg.VipsThreads,
			MaxCacheFiles:    0,
			MaxCacheMem:      0,
			MaxCacheSize:     0,
		})
	})
}

// Shutdown stops libvips; call it once, after the last render.
func Shutdown() {
	stopOnce.Do(vips.Shutdown)
}
