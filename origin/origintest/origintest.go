// Package origintest starts a real origin in-process on a loopback port for
// tests and benchmarks: real libvips, a real store, real cache tiers.
package origintest

import (
	"context"
	"io"
	"io/fs"
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
func (c *CountingRenderer) Render(ctx context.Context, src []byte, spec transform.Spec) (*transform.Result, error) {
	r, err := c.Renderer.Render(ctx, src, spec)
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
	transform.Startup(cfg.Transform)
	r, err := transform.New(cfg.Transform)
	if err != nil {
		t.Fatal(err)
	}
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

// Get fetches a path with optional headers (name, value pairs).
func (h *Harness) Get(t testing.TB, path string, headers ...string) (*http.Response, []byte) {
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
	return resp, body
}

// RepoRoot is the module root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DemoDir is the shipped demo store.
func DemoDir() string { return filepath.Join(RepoRoot(), "demo") }

// DemoStore is a private copy of the demo store (catalog.yaml and
// originals/), so tests may write results and change files freely.
func DemoStore(t testing.TB) *storefs.Store {
	t.Helper()
	dst := t.TempDir()
	src := DemoDir()
	for _, part := range []string{"catalog.yaml", "originals"} {
		err := filepath.WalkDir(filepath.Join(src, part), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := storefs.New(dst)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
