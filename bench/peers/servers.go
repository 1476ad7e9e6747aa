package peers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/freeport"
)

// Side is one server of the comparison: how to start it on an address and
// how it names a variant.
type Side struct {
	Name string
	// Command is the process serving addr from the originals in root.
	Command func(addr, root string) *exec.Cmd
	// HealthPath answers 200 once the server takes requests.
	HealthPath string
	// URL is the path and query of variant v.
	URL func(v Variant) string
	// FreshRoot: give every start its own store root (hard links to the
	// originals), so nothing a previous process wrote there is seen.
	FreshRoot bool
}

// Server is a running Side.
type Server struct {
	Side Side
	Base string
	cmd  *exec.Cmd
	done chan error
	root string // the fresh root to remove at Stop ("" when shared)
}

// StartServer starts side on a free loopback port and waits until it is
// healthy; its output goes to logPath.
func StartServer(ctx context.Context, side Side, originals *Originals, logPath string) (*Server, error) {
	addr, err := freeport.Loopback()
	if err != nil {
		return nil, err
	}
	s := &Server{Side: side, Base: "http://" + addr, done: make(chan error, 1)}
	root := originals.Dir
	if side.FreshRoot {
		if root, err = linkRoot(originals); err != nil {
			return nil, err
		}
		s.root = root
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = side.Command(addr, root)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", side.Name, err)
	}
	go func() { s.done <- s.cmd.Wait(); logFile.Close() }()
	if err := s.waitHealthy(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%s did not become healthy (log: %s): %w", side.Name, logPath, err)
	}
	return s, nil
}

// linkRoot is a new directory holding the catalog and hard links to the
// originals: the same inodes (so the same page cache) under a root no
// earlier process has written to.
func linkRoot(o *Originals) (string, error) {
	root, err := os.MkdirTemp("", "edgeshelf-peers-root-")
	if err != nil {
		return "", err
	}
	files := []string{"catalog.yaml"}
	for _, sku := range o.SKUs {
		files = append(files, o.Path(sku))
	}
	for _, f := range files {
		dst := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		if err := os.Link(filepath.Join(o.Dir, filepath.FromSlash(f)), dst); err != nil {
			return "", err
		}
	}
	return root, nil
}

func (s *Server) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited: %w", err)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+s.Side.HealthPath, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("timed out")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PID is the server process's id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its
// fresh root.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		s.done <- <-s.done
	}
	if s.root != "" {
		_ = os.RemoveAll(s.root)
	}
}

// CPUTime is the process's user + system CPU time so far, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s: Linux's
// USER_HZ on every architecture Go runs on).
func CPUTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(data))
}

const userHZ = 100

func parseStatCPU(stat string) (time.Duration, error) {
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("malformed /proc/PID/stat")
	}
	// fields[0] is field 3 (state): utime is field 14, stime 15.
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}
