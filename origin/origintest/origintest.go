package origintest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Options tune the harness; zero values mean the binary's defaults.
type Options struct {
	// Store defaults to a private copy of the demo store.
	Store store.Blob
	// Configure may change the defaults before the server is built.
	Configure func(*config.Config)
	// NoL1 and NoL2 drop a tier.
	NoL1, NoL2 bool
	// RoutingClock is the routing engine's clock (nil: time.Now). The
	// default store's inventory snapshots are stamped 10 s before it.
	RoutingClock routing.Clock
}

// Harness is a running origin.
type Harness struct {
	URL      string
	Config   *config.Config
	Server   *origin.Server
	Cache    *cache.Tiered
	Memory   *cache.Memory // nil without L1
	Store    store.Blob
	Catalog  *catalog.Source
	Registry *prometheus.Registry
	Renders  *atomic.Int64 // renders that ran to completion
	// Rules keeps the routing engine in step with the store; its poller
	// runs when Config.Origin.RoutingPoll > 0.
	Rules *rulestore.Store
	// Carriers are the carrier breakers the engine consults; probes run
	// only when a test calls ProbeOnce or Run.
	Carriers *carrierhealth.Monitor
	// Decisions is the decision log; a test calls Flush to write it.
	Decisions *decisionlog.Writer
}

// CountingRenderer counts completed renders.
type CountingRenderer struct {
	origin.Renderer
	N atomic.Int64
}

// Render renders and counts.
func (c *CountingRenderer) Render(ctx context.Context, req transform.Request) (*transform.Result, error) {
	r, err := c.Renderer.Render(ctx, req)
	if err == nil {
		c.N.Add(1)
	}
	return r, err
}

// Defaults is the binary's default configuration.
func Defaults(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(nil, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Catalog.Poll = 0
	cfg.Origin.RoutingPoll = 0
	return cfg
}

// Start builds and serves an origin until the test ends.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	cfg := Defaults(t)
	// Renders run niced, so beside the rest of a -race suite on 2 cores a
	// q=auto search or a few large AVIFs can pass the binary's 20 s render
	// and 30 s request deadlines; tests that exercise a deadline set their own.
	cfg.Transform.RenderTimeout, cfg.Origin.RequestTimeout = 3*time.Minute, 3*time.Minute
	if opts.Configure != nil {
		opts.Configure(cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	blob := opts.Store
	if blob == nil {
		blob = DemoStore(t)
		now := time.Now
		if opts.RoutingClock != nil {
			now = opts.RoutingClock
		}
		FreshInventory(t, blob, now().Add(-10*time.Second))
	}
	cat, err := catalog.NewSource(context.Background(), blob, cfg.Catalog, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := transform.Startup(cfg.Transform); err != nil {
		t.Fatal(err)
	}
	r, err := transform.New(cfg.Transform)
	if err != nil {
		t.Fatal(err)
	}
	r.SetLogger(log)
	counting := &CountingRenderer{Renderer: r}
	h := &Harness{Config: cfg, Store: blob, Catalog: cat, Registry: prometheus.NewRegistry(), Renders: &counting.N}
	h.startCache(t, opts, log)
	h.startRouting(t, opts, log)
	h.Server, err = origin.New(cfg.Origin, origin.Deps{
		Catalog: cat, Store: blob, Renderer: counting, Cache: h.Cache, Registry: h.Registry, Log: log, Version: "test",
		Router: h.Rules.Engine(), Rules: h.Rules,
		Carriers: h.Carriers, Decisions: h.Decisions, Expansion: cfg.Expansion,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.serve(t)
	return h
}

// startCache builds the tiers the config and options ask for.
func (h *Harness) startCache(t testing.TB, opts Options, log *slog.Logger) {
	t.Helper()
	cfg := h.Config.Cache
	tc := cache.TieredConfig{BackfillTimeout: cfg.BackfillTimeout, Log: log, Registry: h.Registry}
	if !opts.NoL1 && cfg.L1Bytes > 0 {
		l1, err := cache.NewMemoryWith(int64(cfg.L1Bytes), cfg.Policy)
		if err != nil {
			t.Fatal(err)
		}
		h.Memory = l1
		tc.L1 = h.Memory
	}
	var err error
	if !opts.NoL2 && cfg.L2 {
		if tc.L2, err = cache.NewBlob(cache.BlobConfig{Store: h.Store, MaxEntryBytes: int64(cfg.L2MaxEntryBytes)}); err != nil {
			t.Fatal(err)
		}
	}
	if h.Cache, err = cache.NewTiered(tc); err != nil {
		t.Fatal(err)
	}
}

// startRouting loads the rules store (its poller runs until the test
// ends), the carrier breakers and the decision log.
func (h *Harness) startRouting(t testing.TB, opts Options, log *slog.Logger) {
	t.Helper()
	cfg := h.Config
	var err error
	h.Rules, err = rulestore.New(context.Background(), rulestore.Options{
		Config: cfg.Routing, Store: h.Store, Catalog: h.Catalog, Poll: cfg.Origin.RoutingPoll,
		Clock: opts.RoutingClock, Registry: h.Registry, Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	pollCtx, stopPoll := context.WithCancel(context.Background())
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		h.Rules.Run(pollCtx)
	}()
	t.Cleanup(func() { stopPoll(); <-polling })
	if h.Carriers, err = carrierhealth.New(cfg.Carriers, h.Catalog, h.Registry, log); err != nil {
		t.Fatal(err)
	}
	h.Rules.Engine().SetCarrierHealth(h.Carriers)
	h.Decisions = decisionlog.NewWriter(h.Store, decisionlog.Options{
		FlushEvery: cfg.Decisions.FlushEvery, Batch: cfg.Decisions.Batch, MaxBuffered: cfg.Decisions.Buffer, Registry: h.Registry, Log: log})
}

// serve serves the origin on a loopback port until the test ends.
func (h *Harness) serve(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Server.Serve(ln)
	}()
	t.Cleanup(func() {
		// The harness's requests go through http.DefaultClient, which keeps
		// their connections open: closed here, the server's goroutine
		// reading the next request on each ends too (one left reading made
		// the package's goroutine-leak check fail once).
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Server.Shutdown(ctx)
		<-done
		h.Cache.Wait()
	})
	// Serve must be accepting before Start returns: a Shutdown that runs
	// before fiber's listener starts is a no-op, and Serve would then run
	// forever (a test that never sends a request hung this way).
	waitServing(t, h.URL)
}

// Response is a finished response: its body is read and closed.
type Response struct {
	StatusCode int
	Header     http.Header
}

// Get fetches a path with optional headers (name, value pairs).
func (h *Harness) Get(t testing.TB, path string, headers ...string) (Response, []byte) {
	t.Helper()
	return h.Do(t, http.MethodGet, path, "", headers...)
}

// Do sends a request with a body (none when empty) and optional headers
// (name, value pairs), and returns the finished response.
func (h *Harness) Do(t testing.TB, method, path, body string, headers ...string) (Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{StatusCode: resp.StatusCode, Header: resp.Header}, b
}

// RepoRoot is the module root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DemoDir is the shipped demo store.
func DemoDir() string { return filepath.Join(RepoRoot(), "demo") }

// DemoStore is a private copy of the demo store (catalog.yaml, originals/,
// rules/active.yaml, rules/reference.yaml and inventory/ only: results and
// rules versions a local `make run` left behind must not leak into tests),
// so tests may write results and change files freely.
func DemoStore(t testing.TB) *storefs.Store {
	t.Helper()
	dst := t.TempDir()
	src := DemoDir()
	if err := os.CopyFS(filepath.Join(dst, "originals"), os.DirFS(filepath.Join(src, "originals"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dst, "inventory"), os.DirFS(filepath.Join(src, "inventory"))); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"catalog.yaml", routing.ActiveKey, routing.ReferenceKey} {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, filepath.FromSlash(name))), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.FromSlash(name)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FreshInventory restamps every inventory/{hub}.json snapshot in a store as
// counted at asOf, as a live feed would publish it: the demo snapshots are
// dated, and a harness whose routing clock is far from that date would
// otherwise route around every hub as "inventory too old".
func FreshInventory(t testing.TB, blob store.Blob, asOf time.Time) {
	t.Helper()
	ctx := context.Background()
	listing, err := blob.List(ctx, routing.InventoryPrefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range listing {
		if !strings.HasSuffix(info.Key, ".json") {
			continue
		}
		obj, err := blob.Get(ctx, info.Key, store.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := routing.ParseSnapshot(obj.Data)
		if err != nil {
			t.Fatalf("%s: %v", info.Key, err)
		}
		snap.AsOf = asOf.UTC()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			t.Fatal(err)
		}
		if _, err := blob.Put(ctx, info.Key, buf.Bytes(), store.PutOptions{ContentType: "application/json"}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitServing polls /readyz until the server answers (any status).
func waitServing(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the origin at %s did not start serving: %v", url, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
