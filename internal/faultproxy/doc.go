// Package faultproxy is a TCP proxy that tests start in-process between a
// client and a real server (the origin and versitygw) to inject the faults a
// network and a storage service have: added latency with jitter, connections
// reset (RST) at once or part-way through a response, a black hole that
// accepts and never answers, and an outage that refuses connections. The
// fault can be switched while traffic runs, and open connections feel the
// switch as they would on a real network.
//
// It plays the part of toxiproxy without a separate server process to
// install and run: everything stays on loopback and inside the test binary.
package faultproxy
