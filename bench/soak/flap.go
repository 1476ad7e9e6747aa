package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/faultproxy"
)

// flapRequestTimeout is the server's EDGESHELF_REQUEST_TIMEOUT in a flapping
// run: every answer must come within it plus flapGrace, outage or not.
const (
	flapRequestTimeout = 10 * time.Second
	flapGrace          = 2 * time.Second
)

// flapper puts a fault proxy between the server and versitygw and takes S3
// down and up again every interval: refused connections, then (the next
// outage) a black hole that accepts and never answers, the harder case for
// deadlines.
type flapper struct {
	proxy    *faultproxy.Proxy
	interval time.Duration
	outages  int
}

// startFlapper proxies target (host:port of versitygw).
func startFlapper(target string, interval time.Duration) (*flapper, error) {
	p, err := faultproxy.Start(target)
	if err != nil {
		return nil, err
	}
	return &flapper{proxy: p, interval: interval}, nil
}

// endpoint is the S3 endpoint the server uses: the proxy.
func (f *flapper) endpoint() string { return "http://" + f.proxy.Addr() }

// run flaps until ctx ends, then leaves S3 up.
func (f *flapper) run(ctx context.Context, say func(string, ...any)) {
	down := false
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	defer func() { _ = f.proxy.Set(faultproxy.Pass()) }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		down = !down
		fault := faultproxy.Pass()
		if down {
			f.outages++
			fault = faultproxy.Refuse()
			if f.outages%2 == 0 {
				fault = faultproxy.Blackhole()
			}
		}
		if err := f.proxy.Set(fault); err != nil {
			say("flap: %v", err)
		}
		say("S3 %s", strings.ToLower(fault.String()))
	}
}

func (f *flapper) close() { _ = f.proxy.Close() }

// flapping reports whether a response is the degraded answer an outage
// allows: 503 with Retry-After (a miss that needs the store).
func flapAllows(status int, retryAfter string) bool {
	return status == 503 && retryAfter != ""
}

// deadlineProblem is the verdict's line when an answer came too late.
func deadlineProblem(slowest time.Duration) string {
	return fmt.Sprintf("an answer took %s, past the request deadline %s + %s", slowest.Round(time.Millisecond), flapRequestTimeout, flapGrace)
}
