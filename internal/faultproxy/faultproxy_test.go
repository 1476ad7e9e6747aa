package faultproxy_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/edgeshelf/edgeshelf/internal/faultproxy"
)

// TestMain fails the package if a proxy leaves a goroutine behind after
// Close: the fault tests of other packages rely on that.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startEcho runs a TCP server that sends back what it reads and half-closes
// after the client's EOF.
func startEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(c, c)
				_ = c.(*net.TCPConn).CloseWrite()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func start(t *testing.T, target string) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func dial(t *testing.T, p *faultproxy.Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func set(t *testing.T, p *faultproxy.Proxy, f faultproxy.Fault) {
	t.Helper()
	if err := p.Set(f); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip sends data through an echo connection and reads it back.
func roundTrip(t *testing.T, c net.Conn, data []byte) []byte {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		errc <- err
	}()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("reading the echo: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("writing: %v", err)
	}
	return got
}

// expectReset connects and expects a reset: on loopback it can arrive before
// the dial returns, on the write or on the first read.
func expectReset(t *testing.T, p *faultproxy.Proxy, what string) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err == nil {
		defer c.Close()
		// The kernel reports a reset once, to whichever call meets it
		// first: a write after it fails, and the read then sees EOF.
		if _, err = c.Write([]byte("hello")); err == nil {
			_, err = readErr(c, 5*time.Second)
		}
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("%s: %v, want ECONNRESET", what, err)
	}
}

// readErr reads until an error and returns it with the bytes read.
func readErr(c net.Conn, timeout time.Duration) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	n, err := io.Copy(io.Discard, c)
	if err == nil {
		err = io.EOF // io.Copy reports a clean end as nil
	}
	return int(n), err
}

func TestPassForwardsBothWaysAndHalfCloses(t *testing.T) {
	p := start(t, startEcho(t))
	c := dial(t, p)
	data := randomBytes(t, 1<<20)
	if got := roundTrip(t, c, data); !bytes.Equal(got, data) {
		t.Fatal("the echo differs from what was sent")
	}
	// The client's half-close reaches the server, whose own comes back.
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := readErr(c, 5*time.Second); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("after half-closing: %d more bytes, %v; want a clean EOF", n, err)
	}
	if s := p.Stats(); s.Accepted != 1 || s.Reset != 0 || s.Held != 0 {
		t.Errorf("stats %+v, want one connection accepted and nothing else", s)
	}
}

func TestLatencyDelaysEachWayAndKeepsOrder(t *testing.T) {
	body := randomBytes(t, 256<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	t.Cleanup(srv.Close)
	p := start(t, srv.Listener.Addr().String())
	const latency, jitter = 40 * time.Millisecond, 10 * time.Millisecond
	set(t, p, faultproxy.Latency(latency, jitter))
	if got := p.Fault().String(); got != "latency 40ms ± 10ms" {
		t.Errorf("Fault() = %q", got)
	}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := client.Get("http://" + p.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The request and the response each waited at least latency - jitter:
	// a lower bound the proxy guarantees, however slow the machine.
	if took := time.Since(start); took < 2*(latency-jitter) {
		t.Errorf("the exchange took %s, less than the injected %s", took, 2*(latency-jitter))
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("body through a slow link differs (%d bytes, want %d)", len(got), len(body))
	}
}

func TestResetEndsNewAndOpenConnections(t *testing.T) {
	p := start(t, startEcho(t))
	open := dial(t, p)
	roundTrip(t, open, []byte("before"))

	set(t, p, faultproxy.Reset())
	if _, err := readErr(open, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("open connection after Reset: %v, want ECONNRESET", err)
	}
	// A new connection is accepted by the kernel, then reset.
	expectReset(t, p, "new connection under Reset")
	if s := p.Stats(); s.Reset != 2 {
		t.Errorf("stats %+v, want 2 resets", s)
	}

	set(t, p, faultproxy.Pass())
	if got := roundTrip(t, dial(t, p), []byte("after")); string(got) != "after" {
		t.Errorf("after the resets: %q", got)
	}
}

func TestResetAfterCutsTheResponseShort(t *testing.T) {
	p := start(t, startEcho(t))
	const limit = 5000
	set(t, p, faultproxy.ResetAfter(limit))
	c := dial(t, p)
	// Written whole before the reply is read: a write still running when the
	// reset lands would take the error and leave the read an EOF. Twice the
	// limit fits the loopback buffers, so the write cannot block.
	if _, err := c.Write(randomBytes(t, 2*limit)); err != nil {
		t.Fatal(err)
	}
	n, err := readErr(c, 5*time.Second)
	if n != limit || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read %d bytes then %v; want exactly %d then ECONNRESET", n, err, limit)
	}
	if s := p.Stats(); s.Reset != 1 {
		t.Errorf("stats %+v, want 1 reset", s)
	}
}

func TestBlackholeAcceptsAndNeverAnswers(t *testing.T) {
	p := start(t, startEcho(t))
	open := dial(t, p)
	roundTrip(t, open, []byte("before"))

	set(t, p, faultproxy.Blackhole())
	fresh := dial(t, p) // accepted: a black hole is not a refusal
	for name, c := range map[string]net.Conn{"open": open, "new": fresh} {
		if _, err := c.Write([]byte("anyone there?")); err != nil {
			t.Fatalf("%s: write into the black hole: %v", name, err)
		}
		if n, err := readErr(c, 300*time.Millisecond); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s connection in the black hole: %d bytes, %v; want silence until the deadline", name, n, err)
		}
	}
	if s := p.Stats(); s.Held != 2 || s.Reset != 0 {
		t.Errorf("stats %+v, want 2 held, 0 reset", s)
	}

	// Leaving the black hole resets what it held and serves anew.
	set(t, p, faultproxy.Pass())
	for name, c := range map[string]net.Conn{"open": open, "new": fresh} {
		if _, err := readErr(c, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%s held connection after the black hole: %v, want ECONNRESET", name, err)
		}
	}
	if got := roundTrip(t, dial(t, p), []byte("after")); string(got) != "after" {
		t.Errorf("after the black hole: %q", got)
	}
}

func TestRefuseIsAnOutageOnTheSameAddress(t *testing.T) {
	p := start(t, startEcho(t))
	open := dial(t, p)
	roundTrip(t, open, []byte("before"))

	set(t, p, faultproxy.Refuse())
	if _, err := net.Dial("tcp", p.Addr()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial during the outage: %v, want ECONNREFUSED", err)
	}
	if _, err := readErr(open, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("open connection at the outage: %v, want ECONNRESET", err)
	}

	set(t, p, faultproxy.Latency(time.Millisecond, 0))
	if got := roundTrip(t, dial(t, p), []byte("back")); string(got) != "back" {
		t.Errorf("after the outage: %q", got)
	}
}

func TestUnreachableTargetResets(t *testing.T) {
	p := start(t, boundNotListening(t))
	expectReset(t, p, "proxying to a closed port")
	if s := p.Stats(); s.Reset != 0 {
		t.Errorf("stats %+v: the server's refusal is not the proxy's fault", s)
	}
}

func TestCloseResetsAndStops(t *testing.T) {
	p, err := faultproxy.Start(startEcho(t))
	if err != nil {
		t.Fatal(err)
	}
	open := dial(t, p)
	roundTrip(t, open, []byte("x"))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := readErr(open, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("open connection at Close: %v, want ECONNRESET", err)
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Error("the proxy still accepts after Close")
	}
	if err := p.Set(faultproxy.Pass()); !errors.Is(err, faultproxy.ErrClosed) {
		t.Errorf("Set after Close = %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// boundNotListening returns a loopback address whose port is bound but not
// listening, so connecting to it is refused. A port merely closed could be
// taken by another test process in the meantime; this one stays reserved
// until the test ends.
func boundNotListening(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
