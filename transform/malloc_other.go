//go:build !linux

package transform

// The malloc arena cap is glibc's (see malloc_linux.go).
func appliedMallocArenas() int { return -1 }

func mallocArenas() int { return 0 }

func trimMalloc() {}
