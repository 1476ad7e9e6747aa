//go:build !linux

package transform

// lowerThreadPriority is Linux only: elsewhere renders run at the
// process's priority and only the slots and QueueWait protect requests.
func lowerThreadPriority(int, bool) error { return nil }
