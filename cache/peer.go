package cache

import (
	"context"
	"sync"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// FromPeer is an entry another replica (the key's owner) answered.
const FromPeer Source = "peer"

// Peers is the seam to the replicas of a region that share the render work
// by owning keys (package cluster implements it). An L1 miss of a key owned
// elsewhere asks the owner before the local L2 and render, so a cold variant
// renders once per region, not once per replica.
type Peers interface {
	// Remote reports whether another replica owns key right now.
	Remote(key string) bool
	// Fetch asks the owner of key for its entry. req describes the render
	// to the owner (WithPeerRequest); the owner checks it names key. Any
	// error means: fill locally.
	Fetch(ctx context.Context, key string, req any) (*Entry, error)
}

type peerCtxKey struct{}

// peerCtx is what a request tells the cache about asking peers.
type peerCtx struct {
	req       any
	localOnly bool
}

// WithPeerRequest attaches what an owner needs to render the key asked for
// under ctx (variant.Plan's peer form); without it no peer is asked.
func WithPeerRequest(ctx context.Context, req any) context.Context {
	if pc, ok := ctx.Value(peerCtxKey{}).(peerCtx); ok && pc.localOnly {
		return ctx
	}
	return context.WithValue(ctx, peerCtxKey{}, peerCtx{req: req})
}

// LocalOnly marks a request a peer forwarded: it is filled here whoever the
// owner is, so replicas that briefly disagree on ownership never bounce a
// key between them.
func LocalOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, peerCtxKey{}, peerCtx{localOnly: true})
}

func peerRequestOf(ctx context.Context) (any, bool) {
	pc, ok := ctx.Value(peerCtxKey{}).(peerCtx)
	if !ok || pc.localOnly || pc.req == nil {
		return nil, false
	}
	return pc.req, true
}

// hotAdmitAfter is how many peer fetches of one key admit it to the hot
// cache: a key asked for that often is worth a local copy.
const hotAdmitAfter = 4

// hotCounterLimit bounds the per-key counters; they restart when full, so
// only keys hot within a recent window get in.
const hotCounterLimit = 8192

// hotCache keeps local copies of the hottest keys other replicas own, as
// groupcache's hot cache does: a key every request asks for would otherwise
// cost a peer round trip each time. Its budget is a small share of L1 and
// it is not L1, so summed L1 bytes across replicas stay ≈ unique bytes.
type hotCache struct {
	mem    *Memory
	mu     sync.Mutex
	counts map[string]int
}

func newHotCache(budget int64) (*hotCache, error) {
	if budget <= 0 {
		return nil, nil
	}
	m, err := NewMemoryWith(budget, policy.Default)
	if err != nil {
		return nil, err
	}
	return &hotCache{mem: m, counts: map[string]int{}}, nil
}

func (h *hotCache) get(key string) (*Entry, bool) {
	if h == nil {
		return nil, false
	}
	e, err := h.mem.Get(context.Background(), key)
	return e, err == nil
}

// noteFetch counts a peer fetch of key and keeps e once the key is hot.
func (h *hotCache) noteFetch(key string, e *Entry) {
	if h == nil {
		return
	}
	h.mu.Lock()
	if len(h.counts) >= hotCounterLimit {
		clear(h.counts)
	}
	h.counts[key]++
	hot := h.counts[key] >= hotAdmitAfter
	if hot {
		delete(h.counts, key)
	}
	h.mu.Unlock()
	if hot {
		_ = h.mem.Set(context.Background(), key, e) // too large for the budget: stays remote
	}
}

func (h *hotCache) purge(sku string) int {
	if h == nil {
		return 0
	}
	n, _ := h.mem.Purge(context.Background(), sku)
	return n
}

// fromPeer is the peer step of a fill: the owner's entry when another
// replica owns key and answered. Its answer is not written to L1 or L2 (the
// owner holds it and fills L2); the hot cache may keep a copy.
func (t *Tiered) fromPeer(ctx context.Context, key string) (*Entry, bool) {
	if t.peers == nil {
		return nil, false
	}
	req, ok := peerRequestOf(ctx)
	if !ok || !t.peers.Remote(key) {
		return nil, false
	}
	e, err := t.peers.Fetch(ctx, key, req)
	if err != nil {
		t.log.Debug("peer fill failed: filling locally", "key", key, "err", err)
		return nil, false
	}
	t.m.hit(FromPeer, e)
	t.top.note(key, FromPeer, e)
	t.hot.noteFetch(key, e)
	return e, true
}

// Option adds to the tiers New builds.
type Option func(*TieredConfig)

// WithPeers lets L1 misses of keys other replicas own be filled by their
// owner, with a hot cache of hotShare × the L1 budget for the keys asked
// for most.
func WithPeers(p Peers, hotShare float64) Option {
	return func(c *TieredConfig) {
		c.Peers = p
		if c.L1 != nil {
			c.HotBytes = int64(float64(c.L1.Budget()) * hotShare)
		}
	}
}
