package transform

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// lowerThreadPriority raises the nice value of the calling goroutine's OS
// thread to nice (0 leaves it) and, with idle, moves it to SCHED_IDLE, so
// that when renders and requests want the CPU at once the kernel runs the
// threads serving requests first; renders still get every cycle nobody
// else wants. A nice value only weighs the share (nice 10 still takes
// about a tenth of a core a request thread wants, and waits for its slice
// to end before a woken request runs); a SCHED_IDLE thread yields at once
// to any other thread that wakes.
//
// It locks the goroutine to its thread for good: an unprivileged process
// may lower a thread's priority but not raise it again (RLIMIT_NICE is 0
// by default), so the thread must never go back to the scheduler's pool.
// Go ends a thread whose goroutine exits while locked to it, so call it
// only from a goroutine that ends when its low-priority work does. On
// Linux, PRIO_PROCESS with a thread id sets that one thread's nice value.
// Threads the render starts (libvips' workers) inherit both.
func lowerThreadPriority(nice int, idle bool) error {
	if nice <= 0 && !idle {
		return nil
	}
	runtime.LockOSThread()
	if nice > 0 {
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice); err != nil {
			return err
		}
	}
	if idle {
		// The nice value is kept for when SCHED_IDLE threads compete
		// among themselves.
		return unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE, Nice: int32(nice)}, 0)
	}
	return nil
}
