package harness

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// DelayProxy is a TCP proxy that stands in for a WAN link: every chunk read
// from one side is delivered to the other Latency ± Jitter (uniform) later,
// in order, in both directions — a one-way delay, not a per-chunk stall, so
// a large body still streams at loopback speed after the first byte.
// Each connection draws its jitter from its own generator seeded from Seed
// and the connection's number, so a run's delays repeat.
type DelayProxy struct {
	Latency, Jitter time.Duration
	Seed            uint64
	target          string
	ln              net.Listener
	wg              sync.WaitGroup
	mu              sync.Mutex
	conns           map[net.Conn]struct{}
	accepted        uint64
}

// StartDelayProxy listens on a loopback port and forwards to target.
func StartDelayProxy(target string, latency, jitter time.Duration, seed uint64) (*DelayProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &DelayProxy{Latency: latency, Jitter: jitter, Seed: seed, target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *DelayProxy) Addr() string { return p.ln.Addr().String() }

// Close stops accepting, cuts every open connection and waits for the pumps.
func (p *DelayProxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *DelayProxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *DelayProxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted++
		rng := rand.New(rand.NewPCG(p.Seed, p.accepted))
		p.wg.Add(1)
		go p.serve(down, rng)
	}
}

func (p *DelayProxy) serve(down net.Conn, rng *rand.Rand) {
	defer p.wg.Done()
	up, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		_ = down.Close()
		return
	}
	p.track(down, true)
	p.track(up, true)
	var mu sync.Mutex // both directions share the connection's generator
	delay := func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		d := p.Latency
		if p.Jitter > 0 {
			d += time.Duration(rng.Int64N(int64(2*p.Jitter)+1)) - p.Jitter
		}
		return max(d, 0)
	}
	var pumps sync.WaitGroup
	pumps.Add(2)
	go func() { defer pumps.Done(); pipeDelayed(up, down, delay) }()
	go func() { defer pumps.Done(); pipeDelayed(down, up, delay) }()
	pumps.Wait()
	_ = down.Close()
	_ = up.Close()
	p.track(down, false)
	p.track(up, false)
}

type delayedChunk struct {
	data []byte
	due  time.Time
}

// pipeDelayed copies src to dst, each chunk due delay() after it was read,
// never before the previous one (TCP keeps order). When either side ends,
// dst's write half is closed so the peer sees EOF.
func pipeDelayed(dst, src net.Conn, delay func() time.Duration) {
	chunks := make(chan delayedChunk, 256)
	go func() {
		defer close(chunks)
		var last time.Time
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				due := time.Now().Add(delay())
				if due.Before(last) {
					due = last
				}
				last = due
				chunks <- delayedChunk{buf[:n], due}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range chunks {
		if failed {
			continue // drain so the reader can finish
		}
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.data); err != nil {
			failed = true
			_ = src.Close()
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok && !failed {
		_ = tc.CloseWrite()
		return
	}
	_ = dst.Close()
}
