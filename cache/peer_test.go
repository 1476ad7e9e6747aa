package cache_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
)

// fakePeers owns every key remotely (or none) and answers fetches with a
// fixed entry or error: a stand-in above the Peers seam.
type fakePeers struct {
	remote  bool
	err     error
	fetches atomic.Int32
	lastReq any
}

func (p *fakePeers) Remote(string) bool { return p.remote }
func (p *fakePeers) Fetch(_ context.Context, key string, req any) (*cache.Entry, error) {
	p.fetches.Add(1)
	p.lastReq = req
	if p.err != nil {
		return nil, p.err
	}
	return &cache.Entry{Data: []byte("owner's " + key), ContentType: "image/jpeg"}, nil
}

func renderCounting(n *atomic.Int32) cache.RenderFunc {
	return func(context.Context) (*cache.Entry, error) {
		n.Add(1)
		return &cache.Entry{Data: []byte("local"), ContentType: "image/jpeg"}, nil
	}
}

// A key another replica owns is the owner's answer, not stored in L1 or
// L2 here; without the plan (no WithPeerRequest) no peer is asked.
func TestPeerFillIsNotStoredLocally(t *testing.T) {
	l1 := cache.NewMemory(1 << 20)
	l2 := &slowTier{m: map[string]*cache.Entry{}}
	peers := &fakePeers{remote: true}
	tiered := newTiered(t, cache.TieredConfig{L1: l1, L2: l2, BackfillTimeout: time.Second, Peers: peers, HotBytes: 1 << 16})
	var renders atomic.Int32
	ctx := cache.WithPeerRequest(context.Background(), "plan")
	e, src, err := tiered.Get(ctx, "sku/k1", renderCounting(&renders))
	if err != nil || src != cache.FromPeer || string(e.Data) != "owner's sku/k1" {
		t.Fatalf("got %v %q %v, want the owner's entry from peer", src, e.Data, err)
	}
	tiered.Wait()
	if l1.Len() != 0 || l2.sets.Load() != 0 || renders.Load() != 0 {
		t.Errorf("peer fill stored locally: L1 %d entries, L2 %d sets, %d renders", l1.Len(), l2.sets.Load(), renders.Load())
	}
	if peers.lastReq != "plan" {
		t.Errorf("the owner got plan %v", peers.lastReq)
	}
	if _, src, _ := tiered.Get(context.Background(), "sku/k2", renderCounting(&renders)); src != cache.FromRender {
		t.Errorf("without a plan: source %s, want render", src)
	}
	if _, src, _ := tiered.Get(cache.LocalOnly(ctx), "sku/k3", renderCounting(&renders)); src != cache.FromRender || peers.fetches.Load() != 1 {
		t.Errorf("a peer's own request: source %s after %d fetches, want a local render", src, peers.fetches.Load())
	}
}

// An owner that fails: the key is filled locally (and then held in L1).
func TestPeerFailureFallsBackToRender(t *testing.T) {
	l1 := cache.NewMemory(1 << 20)
	tiered := newTiered(t, cache.TieredConfig{L1: l1, Peers: &fakePeers{remote: true, err: errors.New("owner down")}})
	var renders atomic.Int32
	_, src, err := tiered.Get(cache.WithPeerRequest(context.Background(), "plan"), "sku/k", renderCounting(&renders))
	if err != nil || src != cache.FromRender || renders.Load() != 1 || l1.Len() != 1 {
		t.Errorf("source %s err %v renders %d L1 %d: want one local render kept in L1", src, err, renders.Load(), l1.Len())
	}
}

// A key asked for again and again gets a local copy in the hot cache after
// a few fetches; then Lookup finds it without a round trip.
func TestHotKeysAreKeptLocally(t *testing.T) {
	peers := &fakePeers{remote: true}
	tiered := newTiered(t, cache.TieredConfig{L1: cache.NewMemory(1 << 20), Peers: peers, HotBytes: 1 << 16})
	ctx := cache.WithPeerRequest(context.Background(), "plan")
	var renders atomic.Int32
	for range 10 {
		if _, _, err := tiered.Get(ctx, "sku/hot", renderCounting(&renders)); err != nil {
			t.Fatal(err)
		}
	}
	if n := peers.fetches.Load(); n < 2 || n > 5 {
		t.Errorf("%d fetches for 10 requests of a hot key, want it kept after a few", n)
	}
	if _, ok := tiered.Lookup("sku/hot"); !ok {
		t.Error("Lookup does not find the hot copy")
	}
	out, err := tiered.Purge(context.Background(), "sku")
	if err != nil || out["hot"] != 1 {
		t.Errorf("purge removed %v (err %v), want the hot copy", out, err)
	}
	if _, ok := tiered.Lookup("sku/hot"); ok {
		t.Error("the hot copy survived a purge")
	}
}
