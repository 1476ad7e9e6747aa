package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
)

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
