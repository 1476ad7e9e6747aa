package cluster

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"
)

// members is the membership source: a fixed list, or a headless Service's
// records re-resolved by DNS. Either way this replica is a member, even
// before its own record is published (a pod not ready yet).
type members struct {
	self     string
	static   []string
	dnsHost  string
	dnsPort  string
	resolver *net.Resolver

	mu   sync.RWMutex
	list []string // sorted, self included
}

func newMembers(cfg Config, self string) *members {
	m := &members{self: self, resolver: net.DefaultResolver}
	if cfg.PeersDNS != "" {
		m.dnsHost, m.dnsPort, _ = net.SplitHostPort(cfg.PeersDNS) // Validate checked it
	} else {
		m.static = splitList(cfg.Peers)
	}
	m.set(m.static)
	return m
}

// current is the member list now; callers must not change it.
func (m *members) current() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.list
}

// set replaces the list, adding self; it reports whether it changed.
func (m *members) set(addrs []string) bool {
	list := append([]string{m.self}, addrs...)
	slices.Sort(list)
	list = slices.Compact(list)
	m.mu.Lock()
	defer m.mu.Unlock()
	if slices.Equal(list, m.list) {
		return false
	}
	m.list = list
	return true
}

// refresh re-resolves the headless Service; a failed lookup keeps the last
// list (a DNS blip must not move every key).
func (m *members) refresh(ctx context.Context, timeout time.Duration) (changed bool, err error) {
	if m.dnsHost == "" {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ips, err := m.resolver.LookupHost(ctx, m.dnsHost)
	if err != nil {
		return false, fmt.Errorf("resolving EDGESHELF_PEERS_DNS %s: %w", m.dnsHost, err)
	}
	addrs := make([]string, 0, len(ips))
	for _, ip := range ips {
		addrs = append(addrs, net.JoinHostPort(ip, m.dnsPort))
	}
	return m.set(addrs), nil
}
