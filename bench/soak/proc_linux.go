package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// detach makes the kernel kill the server if the soak dies without
// stopping it. Pdeathsig fires when the thread that started the child
// exits: startServer keeps that thread for the child's lifetime.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// memory reads a process's resident set (VmRSS) and its peak (VmHWM), in
// bytes.
func memory(pid int) (rss, peak int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return statusField(string(data), "VmRSS:"), statusField(string(data), "VmHWM:"), nil
}

// statusField reads a "Name:   123 kB" line of /proc/<pid>/status in bytes.
func statusField(status, name string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}
