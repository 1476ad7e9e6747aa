package transform

/*
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

// liborc 0.4.33 (Debian 12) allocates and frees the code memory of its
// compiled programs without a lock, and libvips 8.14 compiles and frees
// programs for every resize it builds and disposes: two renders doing so at
// once corrupt the heap. These two definitions in the executable interpose
// liborc's own (the dynamic linker resolves libvips' calls to the
// executable's symbols first) and run both under one lock; programs only
// compile when a pipeline is built and free when it is disposed, so the
// lock is taken a few times per render, never per pixel. orc_locked_calls
// lets start-up check that the interposition is in effect before it turns
// liborc on.

static pthread_mutex_t orc_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long orc_locked_calls;

typedef int (*orc_compile_fn)(void *);
typedef void (*orc_free_fn)(void *);

int orc_program_compile(void *program) {
	static orc_compile_fn real;
	pthread_mutex_lock(&orc_lock);
	if (!real) {
		real = (orc_compile_fn)dlsym(RTLD_NEXT, "orc_program_compile");
	}
	orc_locked_calls++;
	// ORC_COMPILE_RESULT_UNKNOWN_COMPILE (0x100) is a failure: libvips
	// then runs its plain C path.
	int result = real ? real(program) : 0x100;
	pthread_mutex_unlock(&orc_lock);
	return result;
}

void orc_program_free(void *program) {
	static orc_free_fn real;
	pthread_mutex_lock(&orc_lock);
	if (!real) {
		real = (orc_free_fn)dlsym(RTLD_NEXT, "orc_program_free");
	}
	orc_locked_calls++;
	if (real) {
		real(program);
	}
	pthread_mutex_unlock(&orc_lock);
}

static unsigned long orc_calls(void) {
	pthread_mutex_lock(&orc_lock);
	unsigned long n = orc_locked_calls;
	pthread_mutex_unlock(&orc_lock);
	return n;
}
*/
import "C"

// orcLockedCalls counts liborc compiles and frees that went through the
// lock above: it moves only when libvips' calls reach the interposed
// functions.
func orcLockedCalls() uint64 { return uint64(C.orc_calls()) }
