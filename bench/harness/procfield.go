package harness

import (
	"fmt"
	"strings"
)

// ProcField reads a "Name:   123 kB" line of a /proc/<pid>/status text in
// bytes (0 when the line is missing).
func ProcField(status, name string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}
