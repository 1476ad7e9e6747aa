// Package freeport picks loopback TCP ports for servers that bind them
// later, usually in another process (versitygw, nginx, origin replicas).
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
)

// lowest keeps picks above the well-known and registered services that
// machines commonly run.
const lowest = 10000

// Loopback returns "127.0.0.1:port" for a port free right now. It picks
// below the kernel's ephemeral range when there is room: every listen on
// port 0 and every outgoing connection on the machine draws from that
// range, so a port freed there can be taken before its server binds it, or
// between a server's stop and its restart on the same address.
func Loopback() (string, error) {
	if top := ephemeralLow(); top > lowest {
		for range 50 {
			//nolint:gosec // spreading picks over ports, not a secret
			if addr, err := listenFree(fmt.Sprintf("127.0.0.1:%d", lowest+rand.IntN(top-lowest))); err == nil {
				return addr, nil
			}
		}
	}
	return listenFree("127.0.0.1:0")
}

func listenFree(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	free := ln.Addr().String()
	return free, ln.Close()
}

// ephemeralLow is the first port of Linux's ephemeral range, or 0 where it
// cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil {
		return 0
	}
	return low
}
