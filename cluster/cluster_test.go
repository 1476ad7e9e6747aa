package cluster

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/edgeshelf/edgeshelf/cache"
)

var testSecret = []byte("0123456789abcdef-peer-secret")

// replica is one cluster member serving the peer protocol on loopback.
type replica struct {
	c     *Cluster
	addr  string
	reg   *prometheus.Registry
	fills atomic.Int64
	srv   *http.Server
}

// startReplicas starts n members that know each other; fill answers every
// fill (nil: an entry naming the key).
func startReplicas(t *testing.T, n int, cfg Config, fill Filler) []*replica {
	t.Helper()
	lns := make([]net.Listener, n)
	addrs := make([]string, n)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i], addrs[i] = ln, ln.Addr().String()
	}
	cfg.Peers = strings.Join(addrs, ",")
	out := make([]*replica, n)
	for i := range lns {
		r := &replica{addr: addrs[i], reg: prometheus.NewRegistry()}
		c, err := New(cfg, addrs[i], testSecret, r.reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.c = c
		f := func(ctx context.Context, key string, plan []byte) (*cache.Entry, error) {
			r.fills.Add(1)
			if fill != nil {
				return fill(ctx, key, plan)
			}
			return &cache.Entry{Data: []byte("bytes of " + key), ContentType: "image/jpeg", ETag: `"e"`, Width: 3, Tags: []string{"sku-x"}}, nil
		}
		r.srv = &http.Server{Handler: c.Handler(f), ReadHeaderTimeout: time.Second}
		go func() { _ = r.srv.Serve(lns[i]) }()
		t.Cleanup(func() { _ = r.srv.Close() })
		out[i] = r
	}
	return out
}

// testConfig gives peers 3 s to answer: a loopback request can take more
// than the production 300 ms beside a loaded -race suite, and a live peer
// timing out would be suspected. TestSlowOwnerIsSuspected sets its own.
func testConfig() Config {
	return Config{PeerListen: ":0", Refresh: time.Second, PeerTimeout: 3 * time.Second, SuspectFor: time.Minute, PeerSecretFile: "x"}
}

// keyOwnedBy finds a key the replica at addr owns.
func keyOwnedBy(t *testing.T, c *Cluster, addr string) string {
	t.Helper()
	for _, k := range keys(1000) {
		if c.OwnerOf(k) == addr {
			return k
		}
	}
	t.Fatal("no key owned by " + addr)
	return ""
}

func TestFetchFromOwner(t *testing.T) {
	rs := startReplicas(t, 2, testConfig(), nil)
	asker, owner := rs[0], rs[1]
	key := keyOwnedBy(t, asker.c, owner.addr)
	if !asker.c.Remote(key) || owner.c.Remote(key) {
		t.Fatalf("the replicas disagree on the owner of %s", key)
	}
	e, err := asker.c.Fetch(context.Background(), key, map[string]string{"sku": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Data) != "bytes of "+key || e.ContentType != "image/jpeg" || e.Width != 3 || len(e.Tags) != 1 {
		t.Errorf("entry %+v, data %q", e, e.Data)
	}
	if got := counterValue(asker.c.m.fetches.WithLabelValues(outcomeHit)); got != 1 {
		t.Errorf("hit fetches %v, want 1", got)
	}
	if owner.fills.Load() != 1 {
		t.Errorf("owner filled %d times, want 1", owner.fills.Load())
	}
}

func TestPeerEndpointNeedsTheSecret(t *testing.T) {
	rs := startReplicas(t, 2, testConfig(), nil)
	for name, auth := range map[string]string{"missing": "", "wrong": "Bearer not-the-secret", "basic": "Basic " + string(testSecret)} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+rs[1].addr+variantPrefix+"sku/abc", strings.NewReader(`{}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s secret: %d %s, want 401 problem+json", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if rs[1].fills.Load() != 0 {
		t.Error("an unauthenticated request reached the filler")
	}
}

// A slow owner costs one timeout: it is suspected and its keys fall to the
// next owner (here the asker itself).
func TestSlowOwnerIsSuspected(t *testing.T) {
	slow := func(ctx context.Context, key string, _ []byte) (*cache.Entry, error) {
		select {
		case <-time.After(10 * time.Second):
		case <-ctx.Done():
		}
		return nil, errors.New("too late")
	}
	cfg := testConfig()
	cfg.PeerTimeout = 300 * time.Millisecond
	rs := startReplicas(t, 2, cfg, slow)
	asker, owner := rs[0], rs[1]
	key := keyOwnedBy(t, asker.c, owner.addr)
	start := time.Now()
	if _, err := asker.c.Fetch(context.Background(), key, struct{}{}); err == nil {
		t.Fatal("a slow owner answered")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the fetch gave up after %s, want about the 300ms timeout, long before the owner's 10s", d)
	}
	if got := counterValue(asker.c.m.fetches.WithLabelValues(outcomeTimeout)); got != 1 {
		t.Errorf("timeout fetches %v, want 1", got)
	}
	if asker.c.Remote(key) || asker.c.suspects.count() != 1 || counterValue(asker.c.m.fallbacks) != 1 {
		t.Errorf("after a timeout: remote %v, suspects %d; want the key local and one suspect", asker.c.Remote(key), asker.c.suspects.count())
	}
}

// A peer that is down is suspected by the probe, without any fetch, and
// cleared once it answers again.
func TestProbeSuspectsDeadPeers(t *testing.T) {
	rs := startReplicas(t, 3, testConfig(), nil)
	rs[0].c.refresh(context.Background())
	if n := rs[0].c.suspects.count(); n != 0 {
		t.Fatalf("%d suspects among live peers", n)
	}
	_ = rs[2].srv.Close()
	rs[0].c.refresh(context.Background())
	rs[1].c.refresh(context.Background())
	for _, r := range rs[:2] {
		if !r.c.suspects.is(rs[2].addr) {
			t.Errorf("%s does not suspect the dead %s", r.addr, rs[2].addr)
		}
	}
	for _, k := range keys(300) { // the survivors agree on every owner
		if a, b := rs[0].c.OwnerOf(k), rs[1].c.OwnerOf(k); a != b || a == rs[2].addr {
			t.Fatalf("key %s: owners %s and %s", k, a, b)
		}
	}
}

// An answer naming another key is refused, whatever its bytes.
func TestWrongKeyAnswerIsRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(headerKey, "other/key")
		meta, _ := encodeMeta(cache.Entry{ContentType: "image/jpeg"})
		w.Header().Set(headerEntry, meta)
		_, _ = w.Write([]byte("x"))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	cfg := testConfig()
	cfg.Peers = ln.Addr().String()
	c, err := New(cfg, "127.0.0.1:1", testSecret, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := keyOwnedBy(t, c, ln.Addr().String())
	if _, err := c.Fetch(context.Background(), key, struct{}{}); err == nil {
		t.Fatal("accepted an entry for another key")
	}
	if got := counterValue(c.m.fetches.WithLabelValues(outcomeInvalid)); got != 1 {
		t.Errorf("invalid fetches %v, want 1", got)
	}
}

// PEERS_DNS: the headless Service's records are the members, self added.
func TestMembersFromDNS(t *testing.T) {
	cfg := testConfig()
	cfg.PeersDNS = "localhost:9123"
	c, err := New(cfg, "10.1.2.3:9123", testSecret, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.refresh(context.Background())
	got := c.Members()
	if !contains(got, "127.0.0.1:9123") || !contains(got, "10.1.2.3:9123") {
		t.Errorf("members %v, want localhost's address and self", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
