package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

type env struct {
	opts    Options
	tmp     string
	s3      *s3test.Server
	log     *slog.Logger
	stores  map[string]store.Blob // catalog name → originals store (undelayed)
	nextID  int
	started time.Time
}

func (e *env) say(format string, args ...any) {
	if e.opts.Out != nil {
		fmt.Fprintf(e.opts.Out, format+"\n", args...)
	}
}

// Run runs the scenario and returns its results.
func Run(ctx context.Context, opts Options) (*Results, error) {
	if !slices.Contains(Scenarios, opts.Scenario) {
		return nil, fmt.Errorf("unknown scenario %q (want %s)", opts.Scenario, strings.Join(Scenarios, ", "))
	}
	if opts.Scenario != "page-views" && (opts.Rate <= 0 || opts.Duration <= 0) {
		return nil, errors.New("rate and duration must be > 0")
	}
	e := &env{opts: opts, stores: map[string]store.Blob{}, started: time.Now(),
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.tmp = opts.TmpDir
	if e.tmp == "" {
		dir, err := os.MkdirTemp("", "edgeshelf-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		e.tmp = dir
	}
	if opts.URLTemplate == "" && opts.Store == "s3" {
		e.say("starting versitygw (S3) on loopback…")
		s, err := s3test.Launch(filepath.Join(e.tmp, "versitygw"))
		if err != nil {
			return nil, err
		}
		defer s.Stop()
		e.s3 = s
	}
	res := &Results{
		Started: e.started.UTC(),
		Host:    HostInfo{runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU()},
		Options: OptionsJSON{
			Scenario: opts.Scenario, Target: cmp(opts.URLTemplate, "in-process"), Store: opts.Store, Catalog: opts.Catalog,
			SKUs: opts.SKUs, Presets: opts.Presets, Formats: opts.Formats, Locales: opts.Locales, Layouts: opts.Layouts,
			Rate: opts.Rate, L1Bytes: opts.L1Bytes, ZipfS: opts.ZipfS, Seed: opts.Seed,
			Duration: opts.Duration.String(), Warmup: opts.Warmup.String(),
			S3Latency: opts.S3Latency.String(), S3Jitter: opts.S3Jitter.String(),
		},
	}
	var err error
	switch opts.Scenario {
	case "tiers":
		res.Runs, err = e.tiers(ctx)
	case "sweep-rate":
		res.Runs, err = e.sweepRate(ctx)
	case "sweep-l1-budget":
		res.Runs, err = e.sweepL1(ctx)
	case "catalog-growth":
		res.Runs, err = e.growth(ctx)
	case "cold-start":
		res.Runs, err = e.coldStart(ctx)
	case "page-views":
		res.Prices = &opts.Prices
		res.PageRuns, err = e.pageViews(ctx)
	}
	res.Finished = time.Now().UTC()
	return res, err
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// S3Store is a store on srv's bucket below prefix with a patient timeout:
// the bench keeps both cores busy, and an S3 outage is not what it measures.
func S3Store(ctx context.Context, srv *s3test.Server, prefix string) (*s3.Store, error) {
	return srv.Open(ctx, prefix, s3.Config{Timeout: 30 * time.Second, MaxAttempts: 2})
}

// catalogFor builds the catalog of n SKUs (0: the configured one).
func (e *env) catalogFor(n int) (*Catalog, error) {
	if e.opts.Catalog == "demo" && n == 0 {
		return DemoCatalog(e.opts.DemoDir)
	}
	if n == 0 {
		n = e.opts.SKUs
	}
	return GenerateCatalog(e.opts.DemoDir, n, e.opts.MaxViews)
}

// originals is the (undelayed) store holding a catalog, uploaded once.
func (e *env) originals(ctx context.Context, c *Catalog) (store.Blob, error) {
	if s, ok := e.stores[c.Name]; ok {
		return s, nil
	}
	t0 := time.Now()
	var s store.Blob
	if e.s3 != nil {
		st, err := S3Store(ctx, e.s3, "catalog-"+c.Name+"/")
		if err != nil {
			return nil, err
		}
		if err := c.Upload(ctx, st); err != nil {
			return nil, err
		}
		s = st
	} else {
		dir := filepath.Join(e.tmp, "catalog-"+c.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := c.WriteDir(dir); err != nil {
			return nil, err
		}
		st, err := storefs.New(dir)
		if err != nil {
			return nil, err
		}
		s = st
	}
	e.say("catalog %s: %d SKUs, %d photos in the %s store (%s)", c.Name, len(c.SKUs), len(c.Files), e.opts.Store, time.Since(t0).Round(time.Millisecond))
	e.stores[c.Name] = s
	return s, nil
}

// newResults is an empty, undelayed results store (an L2 of its own).
func (e *env) newResults(ctx context.Context) (store.Blob, error) {
	e.nextID++
	if e.s3 != nil {
		return S3Store(ctx, e.s3, fmt.Sprintf("l2-%03d/", e.nextID))
	}
	dir := filepath.Join(e.tmp, fmt.Sprintf("l2-%03d", e.nextID))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return storefs.New(dir)
}
