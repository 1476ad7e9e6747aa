// Package live drives a trace of variant requests through a real
// in-process origin (bench/harness's, with libvips and the fs store) and
// returns the origin's own access trace, so the simulator's predictions
// can be checked against the cache that production runs.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/bench/sim"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// Config is one origin run.
type Config struct {
	DemoDir string
	// SKUs > 0 serves bench/harness's generated catalog of that many SKUs
	// (sim.GeneratedCatalog's); 0 the demo catalog.
	SKUs    int
	L1Bytes int64  // the memory tier's budget; L2 is off
	Policy  string // the memory tier's eviction policy ("": the default)
	TmpDir  string
	// Locales maps a colour profile to a locale that selects it (the trace
	// keys name profiles; a request names a locale).
	Locales map[string]string
}

// Result is what the origin did with each request, in request order.
type Result struct {
	Accesses  []sim.Access // the origin's access trace: its cache key, entry size and tier
	BodyBytes []int64      // the response body of each request
}

// Run requests each key (sim.VariantKey) in order, one at a time, and
// returns the origin's access trace: one access per request.
func Run(ctx context.Context, cfg Config, keys []string) (*Result, error) {
	cat, err := catalogOf(cfg)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.TmpDir, "store")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := cat.WriteDir(dir); err != nil {
		return nil, err
	}
	blob, err := storefs.New(dir)
	if err != nil {
		return nil, err
	}
	tracePath := filepath.Join(cfg.TmpDir, "access.trace")
	o, err := harness.StartOrigin(ctx, harness.Layout{Name: "l1", L1Bytes: cfg.L1Bytes, AccessTrace: tracePath, L1Policy: cfg.Policy}, blob, nil, cfg.TmpDir, nil)
	if err != nil {
		return nil, err
	}
	body, err := request(ctx, o.URL, keys, cfg.Locales)
	o.Close() // flushes the access trace
	if err != nil {
		return nil, err
	}
	f, err := os.Open(tracePath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	acc, err := sim.ReadAccesses(f)
	if err != nil {
		return nil, err
	}
	if len(acc) != len(keys) {
		return nil, fmt.Errorf("access trace has %d lines for %d requests", len(acc), len(keys))
	}
	return &Result{Accesses: acc, BodyBytes: body}, nil
}

func catalogOf(cfg Config) (*harness.Catalog, error) {
	if cfg.SKUs > 0 {
		return harness.GenerateCatalog(cfg.DemoDir, cfg.SKUs, 0)
	}
	return harness.DemoCatalog(cfg.DemoDir)
}

// request sends the requests sequentially (a closed loop: the access order
// is the key order) and returns each body's length.
func request(ctx context.Context, base string, keys []string, locales map[string]string) ([]int64, error) {
	client := harness.NewClient(1)
	out := make([]int64, len(keys))
	for i, k := range keys {
		sku, view, preset, format, profile, ok := sim.ParseVariantKey(k)
		loc, okLoc := locales[profile]
		if !ok || !okLoc {
			return nil, fmt.Errorf("key %q: not a variant key of a known profile", k)
		}
		u := harness.VariantURL(base, "", harness.Variant{SKU: sku, View: view, Preset: preset, Format: format, Locale: loc})
		n, err := get(ctx, client, u)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func get(ctx context.Context, client *http.Client, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, errors.New(u + ": " + resp.Status)
	}
	return n, nil
}
