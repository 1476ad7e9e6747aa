package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/cluster"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
)

// podIPOf is the pod's IP from the environment (Kubernetes' downward API
// sets POD_IP): with the peer port, this replica's own peer address.
func podIPOf(environ []string) string {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "POD_IP="); ok {
			return v
		}
	}
	return ""
}

// buildPeers joins the region's replicas when peers are configured: the
// cache then asks a key's owner before rendering it. Membership refreshes
// and peer probes run on ctx; nothing waits for peers to answer (readiness
// describes this pod alone).
func (p *parts) buildPeers(ctx context.Context, cfg *config.Config, podIP string, log *slog.Logger) ([]cache.Option, error) {
	if !cfg.Peers.Enabled() {
		return nil, nil
	}
	self, err := cfg.Peers.SelfAddr(podIP)
	if err != nil {
		return nil, err
	}
	secret, err := cfg.Peers.ReadSecret()
	if err != nil {
		return nil, err
	}
	if p.cluster, err = cluster.New(cfg.Peers, self, secret, p.registry, log); err != nil {
		return nil, err
	}
	go p.cluster.Run(ctx)
	log.Info("peers: sharing renders with the region's replicas", "self", self, "members", p.cluster.Members())
	return []cache.Option{cache.WithPeers(p.cluster, cfg.Peers.HotShare)}, nil
}

// servePeers opens the peer listener, which answers owners' fills through
// this replica's variant service; stop closes it. Without peers it is a
// no-op: the peer port is not opened at all.
func (p *parts) servePeers(cfg *config.Config, srv *origin.Server, log *slog.Logger, errc chan<- error) (stop func(), err error) {
	if p.cluster == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Peers.PeerListen)
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_PEER_LISTEN: %w", err)
	}
	variants := srv.Variants()
	fill := func(ctx context.Context, key string, plan []byte) (*cache.Entry, error) {
		e, err := variants.ServePeer(ctx, key, plan)
		if err != nil {
			return nil, httpx.ToProblem(err)
		}
		return e, nil
	}
	hs := &http.Server{
		Handler:           p.cluster.Handler(fill),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.Origin.ReadTimeout,
		WriteTimeout:      cfg.Origin.WriteTimeout,
		IdleTimeout:       cfg.Origin.IdleTimeout,
	}
	log.Info("peer API on its own listener", "listen", ln.Addr().String())
	go func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("peer listener: %w", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.Origin.ShutdownTimeout)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}, nil
}
