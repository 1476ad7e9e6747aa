package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// stack is one layout's running topology: the origin, the WAN links and,
// for regional layouts, the nginx cache between them.
type stack struct {
	origin  *Origin
	nginx   *Nginx
	proxies []*DelayProxy
	URL     string // where the edge sends its requests
}

// startStack puts the links (and the regional cache) in front of o:
// edge → [edge→region link] → (nginx) → [region→origin link] → origin.
// A link with no latency and no jitter is left out.
func (e *env) startStack(ctx context.Context, layout Layout, o *Origin) (*stack, error) {
	s := &stack{origin: o}
	addr, err := s.link(o.Addr, e.opts.OriginLatency, e.opts.OriginJitter, e.opts.Seed+101)
	if err != nil {
		return nil, err
	}
	if layout.Regional {
		e.nextID++
		dir := filepath.Join(e.tmp, fmt.Sprintf("nginx-%03d", e.nextID))
		if s.nginx, err = StartNginx(ctx, dir, addr, e.opts.RegionBytes); err != nil {
			s.Close()
			return nil, err
		}
		addr = strings.TrimPrefix(s.nginx.URL, "http://")
	}
	if addr, err = s.link(addr, e.opts.RegionLatency, e.opts.RegionJitter, e.opts.Seed+202); err != nil {
		s.Close()
		return nil, err
	}
	s.URL = "http://" + addr
	return s, nil
}

func (s *stack) link(target string, latency, jitter time.Duration, seed uint64) (string, error) {
	if latency == 0 && jitter == 0 {
		return target, nil
	}
	p, err := StartDelayProxy(target, latency, jitter, seed)
	if err != nil {
		return "", err
	}
	s.proxies = append(s.proxies, p)
	return p.Addr(), nil
}

// Close stops the cache and the links, edge side first; the origin is the caller's.
func (s *stack) Close() {
	for i := len(s.proxies) - 1; i >= 0; i-- {
		s.proxies[i].Close()
	}
	if s.nginx != nil {
		s.nginx.Stop()
	}
}

// Topology draws a layout for the report.
func Topology(l Layout) string {
	origin := "origin (no cache)"
	switch {
	case l.L1Bytes > 0 && l.L2:
		origin = "origin [L1 " + bytesStr(l.L1Bytes) + " + L2 in S3]"
	case l.L1Bytes > 0:
		origin = "origin [L1 " + bytesStr(l.L1Bytes) + "]"
	case l.L2:
		origin = "origin [L2 in S3]"
	}
	region := "region (pass-through)"
	if l.Regional {
		region = "region [nginx proxy_cache]"
	}
	return "edge ──WAN──▶ " + region + " ──WAN──▶ " + origin + " ──▶ S3 (originals)"
}
