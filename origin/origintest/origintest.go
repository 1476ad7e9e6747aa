// Package origintest starts a real origin in-process on a loopback port for
// tests and benchmarks: real libvips, a real store, real cache tiers.
package origintest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin"
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
	return cfg
}

// Start builds and serves an origin until the test ends.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	cfg := Defaults(t)
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
	}
	ctx := context.Background()
	cat, err := catalog.NewSource(ctx, blob, cfg.Catalog, log)
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
	reg := prometheus.NewRegistry()
	h := &Harness{Config: cfg, Store: blob, Catalog: cat, Registry: reg, Renders: &counting.N}
	var tiers []cache.Tier
	if !opts.NoL1 && cfg.Cache.L1Bytes > 0 {
		h.Memory = cache.NewMemory(int64(cfg.Cache.L1Bytes))
		tiers = append(tiers, h.Memory)
	}
	if !opts.NoL2 && cfg.Cache.L2 {
		tiers = append(tiers, cache.NewBlob(blob, 0))
	}
	h.Cache = cache.NewTiered(log, reg, cfg.Cache.BackfillTimeout, tiers...)
	h.Server, err = origin.New(cfg.Origin, origin.Deps{
		Catalog: cat, Store: blob, Renderer: counting, Cache: h.Cache, Registry: reg, Log: log, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Server.Shutdown(ctx)
		<-done
		h.Cache.Wait()
	})
	return h
}

// Response is a finished response: its body is read and closed.
type Response struct {
	StatusCode int
	Header     http.Header
}

// Get fetches a path with optional headers (name, value pairs).
func (h *Harness) Get(t testing.TB, path string, headers ...string) (Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.URL+path, nil)
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
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{StatusCode: resp.StatusCode, Header: resp.Header}, body
}

// RepoRoot is the module root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DemoDir is the shipped demo store.
func DemoDir() string { return filepath.Join(RepoRoot(), "demo") }

// DemoStore is a private copy of the demo store (catalog.yaml and
// originals/ only: results a local `make run` left behind must not warm the
// tests' L2), so tests may write results and change files freely.
func DemoStore(t testing.TB) *storefs.Store {
	t.Helper()
	dst := t.TempDir()
	src := DemoDir()
	if err := os.CopyFS(filepath.Join(dst, "originals"), os.DirFS(filepath.Join(src, "originals"))); err != nil {
		t.Fatal(err)
	}
	cat, err := os.ReadFile(filepath.Join(src, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "catalog.yaml"), cat, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
