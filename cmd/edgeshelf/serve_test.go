package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestServeGracefulShutdown runs the real binary on a copy of the demo
// store, sends SIGTERM while renders are in flight, and checks that every
// in-flight request completes, /readyz had turned 503 first, and the process
// exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "edgeshelf")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	storeDir := origintest.DemoStore(t).Dir()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "EDGESHELF_STORE="+storeDir, "EDGESHELF_DRAIN_DELAY=300ms", "EDGESHELF_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// The start-up log line names the address.
	lines := bufio.NewScanner(stderr)
	var base string
	var logs []string
	for lines.Scan() {
		logs = append(logs, lines.Text())
		var rec struct{ Msg, Listen string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "edgeshelf serving" {
			base = rec.Listen
			break
		}
	}
	if base == "" {
		t.Fatalf("no start-up line; logs:\n%s", strings.Join(logs, "\n"))
	}
	var mu sync.Mutex
	go func() {
		for lines.Scan() {
			mu.Lock()
			logs = append(logs, lines.Text())
			mu.Unlock()
		}
	}()
	if code := status(base + "/readyz"); code != 200 {
		t.Fatalf("readyz before shutdown: %d", code)
	}

	// Slow requests: distinct zoom AVIFs of the 2400 px perfume photos.
	var wg sync.WaitGroup
	results := make(chan string, 16)
	for _, sku := range []string{"amber-oud-50ml", "vetiver-noir-50ml", "rose-absolute-30ml"} {
		for _, view := range []string{"front", "side", "box"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Get(fmt.Sprintf("%s/img/%s/%s/zoom.avif", base, sku, view))
				if err != nil {
					results <- fmt.Sprintf("%s/%s: %v", sku, view, err)
					return
				}
				defer resp.Body.Close()
				n, _ := io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != 200 || n == 0 {
					results <- fmt.Sprintf("%s/%s: status %d, %d bytes", sku, view, resp.StatusCode, n)
				}
			}()
		}
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// While draining, readiness fails so load balancers stop sending.
	time.Sleep(50 * time.Millisecond)
	if code := status(base + "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining: %d, want 503", code)
	}
	wg.Wait()
	close(results)
	for r := range results {
		t.Errorf("in-flight request failed: %s", r)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("exit: %v\n%s", err, strings.Join(logs, "\n"))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit within 30s of SIGTERM")
	}
	if code := status(base + "/healthz"); code != 0 {
		t.Errorf("the listener still answers (%d) after shutdown", code)
	}
}

// status GETs a URL and returns its status, or 0 when nothing answered.
func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
