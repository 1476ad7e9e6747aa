package faultproxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

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
