package faultproxy

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

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
