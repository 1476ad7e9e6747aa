package transform

import (
	"runtime"
	"syscall"
)

// lowerThreadPriority raises the nice value of the calling goroutine's OS
// thread to nice (0 leaves it), so that when renders and requests want the
// CPU at once the kernel runs the threads serving requests first; renders
// still get every cycle nobody else wants.
//
// It locks the goroutine to its thread for good: an unprivileged process
// may raise a thread's nice value but not lower it again (RLIMIT_NICE is 0
// by default), so the thread must never go back to the scheduler's pool.
// Go ends a thread whose goroutine exits while locked to it, so call it
// only from a goroutine that ends when its low-priority work does. On
// Linux, PRIO_PROCESS with a thread id sets that one thread's nice value.
func lowerThreadPriority(nice int) error {
	if nice <= 0 {
		return nil
	}
	runtime.LockOSThread()
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
