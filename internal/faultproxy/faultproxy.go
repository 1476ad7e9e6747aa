package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type kind int

const (
	kindPass kind = iota
	kindLatency
	kindReset
	kindBlackhole
	kindRefuse
)

// Fault is what the proxy does to the traffic through it. Build one with
// Pass, Latency, Reset, ResetAfter, Blackhole or Refuse.
type Fault struct {
	kind            kind
	latency, jitter time.Duration
	resetAfter      int64
}

// Pass forwards everything unchanged.
func Pass() Fault { return Fault{kind: kindPass} }

// Latency delays every chunk of data, in both directions, by d ± jitter
// (uniform). Chunks keep their order and throughput is not capped: a chunk
// waits d after it arrived, not after the chunk before it was sent.
func Latency(d, jitter time.Duration) Fault {
	return Fault{kind: kindLatency, latency: d, jitter: jitter}
}

// Reset answers every connection with a TCP reset: new ones as soon as they
// are accepted, open ones at once.
func Reset() Fault { return Fault{kind: kindReset} }

// ResetAfter lets n bytes of each connection's response (server to client)
// through, then resets both sides: a body cut short mid-stream. Open
// connections that already sent n bytes are reset at their next chunk.
func ResetAfter(n int64) Fault {
	if n <= 0 {
		return Reset()
	}
	return Fault{kind: kindReset, resetAfter: n}
}

// Blackhole accepts connections and never answers: what the client sends
// is read and dropped, nothing comes back and nothing is closed. Open
// connections go silent the same way. Connections held in the black hole
// are reset when the fault changes.
func Blackhole() Fault { return Fault{kind: kindBlackhole} }

// Refuse closes the listening socket, so connecting is refused, and resets
// open connections: the server is down. The next other fault listens again
// on the same address.
func Refuse() Fault { return Fault{kind: kindRefuse} }

func (f Fault) String() string {
	switch f.kind {
	case kindLatency:
		return fmt.Sprintf("latency %s ± %s", f.latency, f.jitter)
	case kindReset:
		if f.resetAfter > 0 {
			return fmt.Sprintf("reset after %d bytes", f.resetAfter)
		}
		return "reset"
	case kindBlackhole:
		return "black hole"
	case kindRefuse:
		return "refuse"
	}
	return "pass"
}

// delay is how long a chunk arriving now waits under f.
func (f Fault) delay() time.Duration {
	if f.kind != kindLatency {
		return 0
	}
	d := f.latency
	if f.jitter > 0 {
		d += time.Duration(rand.Int64N(int64(2*f.jitter)+1)) - f.jitter //nolint:gosec // test jitter, not a secret
	}
	return max(d, 0)
}

// resetsAtOnce reports a fault that ends every connection as soon as it is
// seen.
func (f Fault) resetsAtOnce() bool {
	return f.kind == kindRefuse || f.kind == kindReset && f.resetAfter == 0
}

// Stats counts what the proxy did since it started.
type Stats struct {
	// Accepted is the connections accepted.
	Accepted int64
	// Reset is the connections the proxy reset because of a fault (not
	// those whose server or client reset them).
	Reset int64
	// Held is the connections that went into a black hole.
	Held int64
}

// ErrClosed is returned by Set after Close.
var ErrClosed = errors.New("faultproxy: closed")

// dialTimeout bounds connecting to the target, which is on loopback.
const dialTimeout = 5 * time.Second

// relistenFor bounds how long leaving Refuse may wait for the port: a socket
// still closing can hold it for a moment.
const relistenFor = 2 * time.Second

// Proxy forwards TCP connections from its own loopback address to a target.
type Proxy struct {
	target string
	addr   string
	fault  atomic.Pointer[Fault]

	mu     sync.Mutex
	ln     net.Listener // nil while refusing
	links  map[*link]struct{}
	closed bool

	wg                      sync.WaitGroup // the accept loop and every link
	accepted, resets, holds atomic.Int64
}

// Start listens on a free loopback port and forwards each connection to
// target (host:port), passing traffic through until Set says otherwise.
// Close stops it.
func Start(target string) (*Proxy, error) {
	ln, err := listenOutsideEphemeral()
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, links: map[*link]struct{}{}}
	pass := Pass()
	p.fault.Store(&pass)
	p.wg.Add(1)
	go p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port; it stays the same across faults.
func (p *Proxy) Addr() string { return p.addr }

// Fault is the fault in force.
func (p *Proxy) Fault() Fault { return *p.fault.Load() }

// Stats counts what the proxy did so far.
func (p *Proxy) Stats() Stats {
	return Stats{Accepted: p.accepted.Load(), Reset: p.resets.Load(), Held: p.holds.Load()}
}

// Set switches the fault. Open connections feel it at once (reset,
// silenced) or at their next chunk (latency, reset after n bytes). Leaving
// Refuse fails only when the address cannot be listened on again.
func (p *Proxy) Set(f Fault) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	prev := p.fault.Swap(&f)
	for l := range p.links {
		switch {
		case f.resetsAtOnce():
			l.reset(true)
		case f.kind == kindBlackhole:
			l.silence()
		case prev.kind == kindBlackhole:
			// Bytes were dropped: a held connection cannot carry on.
			l.reset(true)
		}
	}
	switch {
	case f.kind == kindRefuse && p.ln != nil:
		_ = p.ln.Close()
		p.ln = nil
	case f.kind != kindRefuse && p.ln == nil:
		ln, err := relisten(p.addr)
		if err != nil {
			return err
		}
		p.ln = ln
		p.wg.Add(1)
		go p.serve(ln)
	}
	return nil
}

// listenOutsideEphemeral listens on a loopback port below the kernel's
// ephemeral range. Refuse closes the listener and a later fault listens on
// the same port again; in between, a port from the ephemeral range could be
// taken as the source port of any outgoing connection on the machine, and
// the proxy could not come back. A port outside it is only ever taken by an
// explicit bind. Where the range cannot be read, any free port will do.
func listenOutsideEphemeral() (net.Listener, error) {
	low := 32768 // Linux's default lower bound
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	if low > 11024 {
		for range 50 {
			port := low - 10000 + rand.IntN(10000) //nolint:gosec // a port to try, not a secret
			if ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
				return ln, nil
			}
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

func relisten(addr string) (net.Listener, error) {
	deadline := time.Now().Add(relistenFor)
	for {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("faultproxy: listening again on %s: %w", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close stops listening, resets every open connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for l := range p.links {
		l.reset(false)
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: let them pass.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		p.accepted.Add(1)
		p.handle(c)
	}
}

func (p *Proxy) handle(c net.Conn) {
	l := &link{p: p, client: c, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.reset(false)
		return
	}
	p.links[l] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	go l.run()
}

func (p *Proxy) remove(l *link) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// link is one proxied connection.
type link struct {
	p      *Proxy
	client net.Conn

	mu       sync.Mutex
	upstream net.Conn // nil until dialled, and once silenced
	silenced bool
	ended    bool
	done     chan struct{} // closed by reset

	sentDown atomic.Int64 // response bytes written to the client
}

func (l *link) run() {
	defer l.p.wg.Done()
	defer l.p.remove(l)
	defer l.close()

	f := l.p.Fault()
	switch {
	case f.resetsAtOnce():
		l.reset(true)
		return
	case f.kind == kindBlackhole:
		l.silence()
	default:
		up, err := net.DialTimeout("tcp", l.p.target, dialTimeout)
		if err != nil {
			l.reset(false) // the server is down: so is its proxy
			return
		}
		l.mu.Lock()
		if l.ended || l.silenced {
			// The fault changed while dialling.
			l.mu.Unlock()
			resetConn(up)
			if l.ended {
				return
			}
		} else {
			l.upstream = up
			l.mu.Unlock()
		}
	}

	var wg sync.WaitGroup
	up := make(chan chunk, 64)
	wg.Add(2)
	go func() { defer wg.Done(); l.read(l.client, up) }()
	go func() { defer wg.Done(); l.writeUp(up) }()
	if upstream := l.up(); upstream != nil {
		down := make(chan chunk, 64)
		wg.Add(2)
		go func() { defer wg.Done(); l.read(upstream, down) }()
		go func() { defer wg.Done(); l.writeDown(down) }()
	}
	wg.Wait()
}

func (l *link) up() net.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.upstream
}

func (l *link) isSilenced() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.silenced
}

// chunk is data read from one side, due to be written to the other at due;
// a chunk with err ends the stream.
type chunk struct {
	data []byte
	due  time.Time
	err  error
}

// read moves src's data into q, stamped with the delay of the fault in
// force when it arrived, and ends q with the read error (io.EOF included).
func (l *link) read(src net.Conn, q chan<- chunk) {
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			f := l.p.Fault()
			if f.resetsAtOnce() {
				l.reset(true)
				return
			}
			select {
			case q <- chunk{data: buf[:n], due: time.Now().Add(f.delay())}:
			case <-l.done:
				return
			}
		}
		if err != nil {
			select {
			case q <- chunk{err: err}:
			case <-l.done:
			}
			return
		}
	}
}

// next waits for q's next chunk and its due time; ok is false when the link
// was reset meanwhile.
func (l *link) next(q <-chan chunk) (chunk, bool) {
	var c chunk
	select {
	case c = <-q:
	case <-l.done:
		return chunk{}, false
	}
	if wait := time.Until(c.due); wait > 0 && c.err == nil {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-l.done:
			return chunk{}, false
		}
	}
	return c, true
}

// writeUp forwards the client's data to the server; in a black hole it is
// dropped.
func (l *link) writeUp(q <-chan chunk) {
	for {
		c, ok := l.next(q)
		if !ok {
			return
		}
		up := l.up()
		switch {
		case l.isSilenced() || up == nil:
			if c.err != nil {
				return
			}
		case errors.Is(c.err, io.EOF):
			halfClose(up)
			return
		case c.err != nil:
			l.reset(false)
			return
		default:
			if _, err := up.Write(c.data); err != nil {
				l.reset(false)
				return
			}
		}
	}
}

// writeDown forwards the server's data to the client, cutting it short
// under ResetAfter.
func (l *link) writeDown(q <-chan chunk) {
	for {
		c, ok := l.next(q)
		if !ok {
			return
		}
		switch {
		case l.isSilenced():
			// The upstream was cut on purpose: drop what was in flight,
			// and keep draining so the reader is never stuck sending.
			if c.err != nil {
				return
			}
			continue
		case errors.Is(c.err, io.EOF):
			halfClose(l.client)
			return
		case c.err != nil:
			l.reset(false)
			return
		}
		data := c.data
		cut := false
		if f := l.p.Fault(); f.kind == kindReset && f.resetAfter > 0 {
			if room := f.resetAfter - l.sentDown.Load(); int64(len(data)) > room {
				data, cut = data[:max(room, 0)], true
			}
		}
		if len(data) > 0 {
			if _, err := l.client.Write(data); err != nil {
				l.reset(false)
				return
			}
			l.sentDown.Add(int64(len(data)))
		}
		if cut {
			l.reset(true)
			return
		}
	}
}

// silence cuts the link from its server and leaves the client hanging.
func (l *link) silence() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended || l.silenced {
		return
	}
	l.silenced = true
	l.p.holds.Add(1)
	if l.upstream != nil {
		resetConn(l.upstream)
	}
}

// reset ends the link with a TCP reset on both sides; byFault counts it in
// Stats.Reset.
func (l *link) reset(byFault bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.ended = true
	if byFault {
		l.p.resets.Add(1)
	}
	resetConn(l.client)
	if l.upstream != nil {
		resetConn(l.upstream)
	}
	close(l.done)
}

// close ends a link whose streams finished, politely.
func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.ended = true
	_ = l.client.Close()
	if l.upstream != nil {
		_ = l.upstream.Close()
	}
	close(l.done)
}

// resetConn closes c with SO_LINGER 0, which makes the kernel send RST
// instead of FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func halfClose(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}
