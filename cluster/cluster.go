package cluster

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Cluster is this replica's view of its region: who the members are, which
// of them are suspected, and the client that asks owners for entries. It
// implements cache.Peers.
type Cluster struct {
	cfg      Config
	self     string
	secret   []byte
	members  *members
	suspects *suspects
	client   *http.Client
	log      *slog.Logger
	m        *metrics
}

// New builds the cluster view of the replica at self (its peer address).
// Run keeps the membership and suspicions current.
func New(cfg Config, self string, secret []byte, reg prometheus.Registerer, log *slog.Logger) (*Cluster, error) {
	if !cfg.Enabled() {
		return nil, errors.New("cluster: no peers configured (EDGESHELF_PEERS or EDGESHELF_PEERS_DNS)")
	}
	if len(secret) == 0 {
		return nil, errors.New("cluster: a shared secret is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	c := &Cluster{
		cfg: cfg, self: self, secret: secret, members: newMembers(cfg, self), suspects: newSuspects(cfg.SuspectFor),
		log: log, client: newClient(cfg.PeerTimeout),
	}
	c.m = newMetrics(reg, c)
	return c, nil
}

func newClient(timeout time.Duration) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // variants are compressed images already
	}}
}

// Self is this replica's peer address.
func (c *Cluster) Self() string { return c.self }

// Members is the membership now, self included, sorted.
func (c *Cluster) Members() []string { return c.members.current() }

// OwnerOf is the live member that owns key: the rendezvous winner among the
// members not suspected (self is never suspected).
func (c *Cluster) OwnerOf(key string) string {
	var best string
	var bestScore uint64
	for _, m := range c.members.current() {
		if m != c.self && c.suspects.is(m) {
			continue
		}
		if s := score(m, key); best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

// Remote reports whether another replica owns key (cache.Peers).
func (c *Cluster) Remote(key string) bool { return c.OwnerOf(key) != c.self }

// Run re-resolves the membership and probes every peer each refresh
// interval until ctx ends: a dead peer is suspected within one interval
// even by replicas that have not asked it anything, so the survivors agree
// on the new owners.
func (c *Cluster) Run(ctx context.Context) {
	t := time.NewTicker(c.cfg.Refresh)
	defer t.Stop()
	for {
		c.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Cluster) refresh(ctx context.Context) {
	changed, err := c.members.refresh(ctx, c.cfg.Refresh)
	if err != nil {
		c.log.Warn("peers: membership not refreshed; keeping the last list", "err", err)
	}
	if changed {
		c.log.Info("peers: membership changed", "members", c.members.current())
	}
	var wg sync.WaitGroup
	for _, m := range c.members.current() {
		if m == c.self {
			continue
		}
		wg.Go(func() { c.probe(ctx, m) })
	}
	wg.Wait()
}

// probe asks a peer's health endpoint: an answer clears a suspicion, none
// (or a wrong secret) marks one.
func (c *Cluster) probe(ctx context.Context, addr string) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PeerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+healthPath, nil)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "Bearer "+string(c.secret))
	resp, err := c.client.Do(req)
	if err == nil {
		discardRest(resp.Body)
		_ = resp.Body.Close()
	}
	switch {
	case err == nil && resp.StatusCode == http.StatusOK:
		c.suspects.clear(addr)
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled):
		// shutting down: no verdict
	default:
		if !c.suspects.is(addr) {
			c.log.Warn("peers: peer failed its probe; its keys move to the next owner", "peer", addr, "err", err)
		}
		c.suspects.mark(addr)
	}
}
