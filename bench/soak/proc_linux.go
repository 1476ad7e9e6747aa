package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/edgeshelf/edgeshelf/bench/harness"
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
	return harness.ProcField(string(data), "VmRSS:"), harness.ProcField(string(data), "VmHWM:"), nil
}
