package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// drainDelay is the shutdown test's EDGESHELF_DRAIN_DELAY: how long /readyz
// says 503 while the listener still accepts.
const drainDelay = 500 * time.Millisecond

// TestServeGracefulShutdown runs the real binary on a copy of the demo
// store with load running, sends SIGTERM while slow renders are in flight,
// and checks the order of a graceful shutdown: /readyz turns 503 while the
// listener still accepts, then new connections are refused while the
// in-flight renders still run, every in-flight request completes with 200,
// no request gets an error status or a cut body, and the process exits 0.
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
	cmd.Env = append(os.Environ(), "EDGESHELF_STORE="+storeDir, "EDGESHELF_DRAIN_DELAY="+drainDelay.String(),
		"EDGESHELF_LOG_LEVEL=info", "EDGESHELF_ROUTING_SKIP_AFTER=87600h",
		// The test queues more slow renders than there are slots, to have
		// renders in flight at SIGTERM: none may be shed before it, nor cut
		// by a deadline on a loaded machine (nine 2400 px AVIFs on two slots).
		"EDGESHELF_RENDER_QUEUE_WAIT=0s", "EDGESHELF_RENDER_TIMEOUT=3m", "EDGESHELF_REQUEST_TIMEOUT=3m", "EDGESHELF_SHUTDOWN_TIMEOUT=3m")
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
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		for lines.Scan() {
			mu.Lock()
			logs = append(logs, lines.Text())
			mu.Unlock()
		}
	}()
	if p := probe(base + "/readyz"); p.status != 200 {
		t.Fatalf("readyz before shutdown: %+v", p)
	}

	// Background load on fresh connections: cached variants and routing.
	stopLoad := make(chan struct{})
	var load sync.WaitGroup
	var loadOK atomic.Int64
	loadErrs := make(chan string, 1000)
	for _, path := range []string{"/img/label-mug/front/thumb.jpg", "/route?sku=amber-oud-50ml&qty=1&country=DE&locale=de-DE"} {
		load.Add(1)
		go func() {
			defer load.Done()
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				switch p := probe(base + path); {
				case p.status == 200:
					loadOK.Add(1)
				case p.status != 0:
					loadErrs <- fmt.Sprintf("%s: status %d", path, p.status)
				case !p.gone():
					loadErrs <- fmt.Sprintf("%s: %v", path, p.err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}

	// Slow requests: distinct zoom AVIFs of the 2400 px perfume photos, far
	// more render time than the drain delay on any machine.
	var slow sync.WaitGroup
	var slowLeft atomic.Int32
	slowErrs := make(chan string, 16)
	for _, sku := range []string{"amber-oud-50ml", "vetiver-noir-50ml", "rose-absolute-30ml"} {
		for _, view := range []string{"front", "side", "box"} {
			slow.Add(1)
			slowLeft.Add(1)
			go func() {
				defer slow.Done()
				defer slowLeft.Add(-1)
				if p := probe(fmt.Sprintf("%s/img/%s/%s/zoom.avif", base, sku, view)); p.status != 200 || p.bytes == 0 {
					slowErrs <- fmt.Sprintf("%s/%s: %+v", sku, view, p)
				}
			}()
		}
	}
	time.Sleep(200 * time.Millisecond) // the slow requests reach the server
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// Readiness probes on fresh connections, as a load balancer would send
	// them, until connections are refused.
	var seen []string
	var refusedAt time.Time
	slowAtRefusal := int32(-1)
	for time.Since(signalled) < 30*time.Second {
		p := probe(base + "/readyz")
		switch {
		case p.status == http.StatusServiceUnavailable:
			if len(seen) == 0 || seen[len(seen)-1] != "503" {
				seen = append(seen, "503")
			}
		case p.status != 0:
			seen = append(seen, fmt.Sprint(p.status))
		case p.refused():
			refusedAt, slowAtRefusal = time.Now(), slowLeft.Load()
			seen = append(seen, "refused")
		case p.gone():
			// Accepted into the backlog as the listener closed, and
			// reset with it: the moment of closing, not an answer.
		default:
			seen = append(seen, p.err.Error())
		}
		if !refusedAt.IsZero() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The listener must stay open for the drain delay with /readyz at 503
	// (a 200 before the first 503 is a probe that raced the signal).
	for len(seen) > 0 && seen[0] == "200" {
		seen = seen[1:]
	}
	if len(seen) != 2 || seen[0] != "503" || seen[1] != "refused" {
		t.Errorf("readiness after SIGTERM went %v, want [503 refused]", seen)
	}
	if !refusedAt.IsZero() && refusedAt.Sub(signalled) < drainDelay {
		t.Errorf("connections refused %s after SIGTERM, before the %s drain delay", refusedAt.Sub(signalled), drainDelay)
	}
	if slowAtRefusal <= 0 {
		t.Errorf("%d slow requests were still in flight when connections were refused; want some, to show draining", slowAtRefusal)
	}

	slow.Wait()
	close(slowErrs)
	for e := range slowErrs {
		t.Errorf("in-flight request failed: %s", e)
	}
	exited := make(chan error, 1)
	go func() {
		<-logsDone // Wait closes the pipe: read it to the end first
		exited <- cmd.Wait()
	}()
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
	close(stopLoad)
	load.Wait()
	close(loadErrs)
	for e := range loadErrs {
		t.Errorf("load during shutdown: %s", e)
	}
	if loadOK.Load() == 0 {
		t.Error("no load request succeeded")
	}
	if p := probe(base + "/healthz"); !p.refused() {
		t.Errorf("after exit: %+v, want connection refused", p)
	}
	mu.Lock()
	defer mu.Unlock()
	if last := logs[len(logs)-1]; !strings.Contains(last, `"stopped"`) {
		t.Errorf("last log line %s, want the stopped line", last)
	}
}

// probeResult is one request on a new connection: a status and the body
// length, or the error that ended it.
type probeResult struct {
	status int
	bytes  int64
	err    error
	cut    bool // the answer had started: a status, then the body broke off
}

// refused reports a connection the server did not accept.
func (p probeResult) refused() bool { return errors.Is(p.err, syscall.ECONNREFUSED) }

// gone reports a request that found no server: refused, or accepted by the
// kernel and dropped as the listener closed. Neither had an answer started.
func (p probeResult) gone() bool {
	return !p.cut && (p.refused() || errors.Is(p.err, syscall.ECONNRESET) || errors.Is(p.err, io.EOF))
}

// probeClient opens a connection per request, so each probe is a new
// connection that the listener must accept.
var probeClient = &http.Client{Timeout: 3 * time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}

func probe(url string) probeResult {
	resp, err := probeClient.Get(url)
	if err != nil {
		return probeResult{err: err}
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		// A status with a cut body is an error, not a result.
		return probeResult{err: fmt.Errorf("status %d, body cut after %d bytes: %w", resp.StatusCode, n, err), cut: true}
	}
	return probeResult{status: resp.StatusCode, bytes: n}
}
