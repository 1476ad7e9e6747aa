//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

func detach(*exec.Cmd) {}

// memory needs /proc: the soak measures RSS on Linux only.
func memory(int) (rss, peak int64, err error) {
	return 0, 0, errors.New("soak: reading a process's RSS needs Linux /proc")
}
