package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestLoopbackIsFreeAndBelowTheEphemeralRange(t *testing.T) {
	addr, err := Loopback()
	if err != nil {
		t.Fatal(err)
	}
	host, p, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("Loopback() = %q, %v", addr, err)
	}
	port, _ := strconv.Atoi(p)
	if low := ephemeralLow(); low > lowest && (port < lowest || port >= low) {
		t.Errorf("port %d outside [%d, %d), below the ephemeral range", port, lowest, low)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the returned port cannot be bound: %v", err)
	}
	_ = ln.Close()
}
