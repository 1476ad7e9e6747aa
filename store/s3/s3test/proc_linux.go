package s3test

import (
	"os/exec"
	"syscall"
)

// detach makes the kernel kill versitygw if the test binary dies without
// running its cleanups (a -timeout panic, a SIGKILL), so no orphaned server
// keeps a port and a temp directory. Pdeathsig fires when the forking thread
// exits, not the process: run starts and waits for the command on one
// goroutine locked to its thread.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
