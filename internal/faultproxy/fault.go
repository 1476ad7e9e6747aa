package faultproxy

import (
	"fmt"
	"math/rand/v2"
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
