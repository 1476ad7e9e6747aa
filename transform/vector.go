package transform

// #cgo pkg-config: vips
// #include <vips/vips.h>
// #include <vips/vector.h>
import "C"

// setVectorEnabled turns libvips' run-time generated SIMD code (liborc) on
// or off for the whole process.
//
// Off is the default because with libvips 8.14 and liborc 0.4.33 (Debian
// 12) it corrupts the heap under concurrent renders: every resize compiles
// and frees orc programs, and two renders doing so at once crash the process
// in orc_code_allocate_codemem or glibc's malloc ("double free or
// corruption"). Four goroutines resizing small images crashed within 10 s in
// one run in three; a render benchmark crashed in two runs of four (two of
// three under AddressSanitizer). With orc off neither crashed in four runs
// each. Small variants render faster without it (compiling the programs cost
// more than they saved); a 6 MP JPEG to 400 px takes about 15 % more CPU,
// the vertical Lanczos3 pass being plain C then.
func setVectorEnabled(on bool) {
	C.vips_vector_set_enabled(C.gboolean(boolInt(on)))
}

// vectorEnabled reports whether libvips uses liborc.
func vectorEnabled() bool { return C.vips_vector_isenabled() != 0 }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
