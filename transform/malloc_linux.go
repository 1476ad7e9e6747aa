package transform

/*
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

// edgeshelf_arenas is the malloc arena cap applied at load, -1 when none
// was (MALLOC_ARENA_MAX set, an invalid EDGESHELF_MALLOC_ARENAS, or a C
// library without M_ARENA_MAX).
static int edgeshelf_arenas = -1;

// glibc fixes its arena limit the first time a thread needs an arena,
// before any Go code runs in a cgo binary, so the cap is set by a
// constructor, from the environment. 2 is EDGESHELF_MALLOC_ARENAS' default
// in transform.Config; TestMallocArenasCapped holds the two together.
__attribute__((constructor)) static void edgeshelf_limit_arenas(void) {
#ifdef M_ARENA_MAX
	if (getenv("MALLOC_ARENA_MAX") != NULL) {
		return;
	}
	long n = 2;
	const char *v = getenv("EDGESHELF_MALLOC_ARENAS");
	if (v != NULL && *v != '\0') {
		char *end;
		n = strtol(v, &end, 10);
		if (*end != '\0' || n < 0 || n > 1024) {
			return; // config.Load refuses it with the key's name
		}
	}
	if (n == 0 || mallopt(M_ARENA_MAX, (int) n) == 1) {
		edgeshelf_arenas = (int) n;
	}
#endif
}

static int edgeshelf_arenas_applied(void) { return edgeshelf_arenas; }

// edgeshelf_malloc_trim returns free pages of every arena to the kernel;
// 1 when some were.
static int edgeshelf_malloc_trim(void) {
#ifdef M_ARENA_MAX
	return malloc_trim(0);
#else
	return 0;
#endif
}

// edgeshelf_malloc_info is glibc's malloc_info XML, or NULL; free() it.
static char *edgeshelf_malloc_info(void) {
#ifdef M_ARENA_MAX
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		return NULL;
	}
	malloc_info(0, f);
	fclose(f);
	return buf;
#else
	return NULL;
#endif
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// glibc gives each thread that allocates an arena of its own, up to 8 per
// core, and returns little of a fragmented arena to the kernel: libvips'
// worker threads allocating and freeing pixel buffers of every size made
// the server's RSS climb 7-9 % in five minutes of the soak while the Go
// heap and libvips' own memory stayed flat. With 2 arenas RSS stayed flat,
// at 162 MiB against 236 → 254 MiB, at the same render rate. The cap is set
// at load by the constructor above; an operator's MALLOC_ARENA_MAX wins.

// appliedMallocArenas is the arena cap set at load (0: glibc's default),
// or -1 when none was set.
func appliedMallocArenas() int { return int(C.edgeshelf_arenas_applied()) }

// trimMalloc returns the C heap's free pages to the kernel (glibc).
func trimMalloc() { C.edgeshelf_malloc_trim() }

// mallocArenas is the number of arenas glibc has made so far (0 when the C
// library does not say).
func mallocArenas() int {
	p := C.edgeshelf_malloc_info()
	if p == nil {
		return 0
	}
	defer C.free(unsafe.Pointer(p))
	return strings.Count(C.GoString(p), "<heap nr=")
}
