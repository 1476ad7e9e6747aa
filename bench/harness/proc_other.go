//go:build !linux

package harness

import (
	"os/exec"
	"time"
)

func detach(*exec.Cmd)       {}
func cpuTime() time.Duration { return 0 }
func resetPeakRSS()          {}
func peakRSS() int64         { return 0 }
