package transform

// #cgo pkg-config: vips
// #include <vips/vips.h>
// #include <vips/vector.h>
import "C"

import (
	"log/slog"
	"sync/atomic"

	"github.com/davidbyttow/govips/v2/vips"
)

// setVectorEnabled turns libvips' run-time generated SIMD code (liborc) on
// or off for the whole process.
//
// With libvips 8.14 and liborc 0.4.33 (Debian 12) liborc on its own
// corrupts the heap under concurrent renders: every resize compiles and
// frees orc programs, and two renders doing so at once crashed the process
// in orc_code_allocate_codemem or glibc's malloc ("double free or
// corruption"): four goroutines resizing small images crashed within 10 s
// in three runs of three. orclock.go serialises those compiles and frees,
// after which five 10 s runs were clean. liborc's vertical Lanczos3 pass
// halves the resize of a large variant (a 6 MP JPEG to 2400 px: 242 → about
// 160 CPU-ms), so EDGESHELF_VIPS_VECTOR=true turns it on, but only where
// the lock is seen to work (useVector). The gamut sample resizes at 16 bits
// (sampleResize), where liborc is not used, so the setting never moves a
// P3 decision.
func setVectorEnabled(on bool) {
	C.vips_vector_set_enabled(C.gboolean(boolInt(on)))
}

// vectorRefused is set when EDGESHELF_VIPS_VECTOR asked for liborc and
// useVector left it off: renders then run libvips' C code, and the cache
// key must say so (see EffectiveSettings).
var vectorRefused atomic.Bool

// useVector turns liborc on when asked and the interposed lock is seen to
// take libvips' compiles (a probe resize must go through it); otherwise it
// stays off, with a warning, rather than risk the heap.
func useVector(on bool) {
	vectorRefused.Store(false)
	setVectorEnabled(on)
	if !on {
		return
	}
	before := orcLockedCalls()
	if err := probeResize(); err != nil || orcLockedCalls() == before {
		setVectorEnabled(false)
		vectorRefused.Store(true)
		slog.Warn("libvips' liborc SIMD code left off: its compiles do not go through edgeshelf's lock", "err", err)
	}
}

// probeResize builds and disposes one Lanczos3 reduce, which compiles and
// frees liborc programs when liborc is on.
func probeResize() error {
	img, err := vips.Black(64, 48)
	if err != nil {
		return err
	}
	defer img.Close()
	return img.ResizeWithVScale(0.5, 0.5, vips.KernelLanczos3)
}

// vectorEnabled reports whether libvips uses liborc.
func vectorEnabled() bool { return C.vips_vector_isenabled() != 0 }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
