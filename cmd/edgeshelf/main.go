// Command edgeshelf is the image origin and routing endpoint in one binary.
//
//	edgeshelf [serve] [flags]   serve the API (default)
//	edgeshelf version           print the version
//	edgeshelf config            print the configuration table (Markdown)
//	edgeshelf sign [flags] URL  print URL signed with the first key of --signing-key-file
//	edgeshelf report expansion  print the expansion report from the store's decision log
//	edgeshelf report stocking   print the stocking plan and delivery telemetry from the store
//	edgeshelf import orders FILE  store a Shopify order export for the stocking report
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/cluster"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/transform"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, environ []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if err := serve(args, environ, stderr); err != nil {
			fmt.Fprintln(stderr, "edgeshelf:", err)
			return 1
		}
		return 0
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "config":
		fmt.Fprint(stdout, config.Markdown())
		return 0
	case "report":
		if len(args) > 0 && args[0] == "stocking" {
			return reportStockingCommand(args[1:], environ, stdout, stderr)
		}
		if len(args) == 0 || args[0] != "expansion" {
			fmt.Fprintln(stderr, "usage: edgeshelf report expansion|stocking [--store DIR|s3://bucket/prefix] [flags]")
			return 2
		}
		if err := reportExpansion(args[1:], environ, stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "edgeshelf:", err)
			return 1
		}
		return 0
	case "sign":
		if len(args) == 0 {
			fmt.Fprintln(stderr, "usage: edgeshelf sign [--signing-key-file FILE] URL")
			return 2
		}
		flags, raw := args[:len(args)-1], args[len(args)-1]
		if strings.HasPrefix(raw, "-") { // --help, or flags without a URL
			flags, raw = args, ""
		}
		signed, err := sign(flags, environ, raw, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err == nil && raw == "" {
			fmt.Fprintln(stderr, "usage: edgeshelf sign [--signing-key-file FILE] URL")
			return 2
		}
		if err != nil {
			fmt.Fprintln(stderr, "edgeshelf:", err)
			return 1
		}
		fmt.Fprintln(stdout, signed)
		return 0
	case "import":
		return importCommand(args, environ, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "edgeshelf: unknown command %q (want serve, version, config, sign, report or import)\n", cmd)
		return 2
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func sign(args, environ []string, raw string, stderr io.Writer) (string, error) {
	cfg, err := config.LoadCommand(config.Sign, args, environ, stderr)
	if err != nil {
		return "", err
	}
	if cfg.Origin.SigningKeyFile == "" {
		return "", signing.ErrNoSigner
	}
	signer, err := signing.LoadSigner(cfg.Origin.SigningKeyFile, cfg.Origin.SignatureBytes)
	if err != nil {
		return "", err
	}
	if raw == "" {
		return "", nil
	}
	return signing.SignURL(signer, raw)
}

func serve(args, environ []string, stderr io.Writer) error {
	cfg, err := config.Load(args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := transform.Startup(cfg.Transform); err != nil {
		return fmt.Errorf("starting libvips: %w", err)
	}
	defer transform.Shutdown()
	p, err := build(ctx, cfg, log, podIPOf(environ))
	if err != nil {
		return err
	}
	stopLog, err := p.runDecisionLog(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopLog()
	srv, err := origin.New(cfg.Origin, origin.Deps{
		Catalog: p.catalog, Store: p.blob, Renderer: p.renderer, Cache: p.cache,
		Registry: p.registry, Log: log, Version: versionString(),
		Router: p.rules.Engine(), Rules: p.rules,
		Carriers: p.carriers, Decisions: p.decisions, Expansion: cfg.Expansion, Stocking: cfg.Stocking,
	})
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, log, srv, p)
}

// parts are what serve wires into the origin, built from the config.
type parts struct {
	blob      store.Blob
	catalog   *catalog.Source
	renderer  *transform.Renderer
	registry  *prometheus.Registry
	cache     *cache.Tiered
	rules     *rulestore.Store
	carriers  *carrierhealth.Monitor
	decisions *decisionlog.Writer
	cluster   *cluster.Cluster // nil without peers
}

// build opens the store, loads the catalog and rules and starts their
// pollers and the carrier probes on ctx.
func build(ctx context.Context, cfg *config.Config, log *slog.Logger, podIP string) (*parts, error) {
	p := &parts{registry: prometheus.NewRegistry()}
	var err error
	if p.blob, err = openStore(ctx, cfg.Store); err != nil {
		return nil, err
	}
	if p.catalog, err = catalog.NewSource(ctx, p.blob, cfg.Catalog, log); err != nil {
		return nil, fmt.Errorf("loading the catalog from %s: %w", cfg.Store.URL, err)
	}
	go p.catalog.Run(ctx)
	if p.renderer, err = transform.New(cfg.Transform); err != nil {
		return nil, err
	}
	peerOpts, err := p.buildPeers(ctx, cfg, podIP, log)
	if err != nil {
		return nil, err
	}
	if p.cache, err = cache.New(cfg.Cache, p.blob, log, p.registry, peerOpts...); err != nil {
		return nil, err
	}
	p.rules, err = rulestore.New(ctx, rulestore.Options{
		Config: cfg.Routing, Store: p.blob, Catalog: p.catalog, Poll: cfg.Origin.RoutingPoll, Registry: p.registry, Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("loading the routing rules from %s: %w", cfg.Store.URL, err)
	}
	go p.rules.Run(ctx)
	if p.carriers, err = carrierhealth.New(cfg.Carriers, p.catalog, p.registry, log); err != nil {
		return nil, err
	}
	p.rules.Engine().SetCarrierHealth(p.carriers)
	go p.carriers.Run(ctx)
	return p, nil
}

// runDecisionLog opens the decision log's local log, when enabled, and
// starts shipping it (what an earlier process left there first). It
// outlives ctx: requests still draining after SIGTERM append to it, and
// the returned stop ships it and closes it after the server has stopped.
func (p *parts) runDecisionLog(ctx context.Context, cfg *config.Config, log *slog.Logger) (stop func(), err error) {
	dc := cfg.Decisions
	if !dc.Enabled {
		return func() {}, nil
	}
	dir := dc.DirFor(cfg.Store.URL)
	p.decisions, err = decisionlog.Open(p.blob, decisionlog.Options{
		FlushEvery: dc.FlushEvery, Batch: dc.Batch, MaxBuffered: dc.Buffer, Registry: p.registry, Log: log,
		Dir: dir, GroupDelay: dc.GroupDelay,
	})
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_DECISION_LOG_DIR: %w", err)
	}
	if n := p.decisions.Pending(); n > 0 {
		log.Info("decision log: replaying unshipped decisions", "dir", dir, "decisions", n)
	}
	logCtx, stopLog := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { p.decisions.Run(logCtx); close(done) }()
	return func() { stopLog(); <-done; p.decisions.Close() }, nil
}

// listenAndServe serves until ctx ends (SIGTERM), then drains.
func listenAndServe(ctx context.Context, cfg *config.Config, log *slog.Logger, srv *origin.Server, p *parts) error {
	ln, err := net.Listen("tcp", cfg.Origin.Listen)
	if err != nil {
		return fmt.Errorf("EDGESHELF_LISTEN: %w", err)
	}
	log.Info("edgeshelf serving", "listen", "http://"+ln.Addr().String(), "store", cfg.Store.URL,
		"skus", len(p.catalog.Current().SKUs), "rules_version", p.rules.Engine().Rules().Version(), "version", versionString())
	errc := make(chan error, 3)
	go func() { errc <- srv.Serve(ln) }()
	stopPeers, err := p.servePeers(cfg, srv, log, errc)
	if err != nil {
		return err
	}
	defer stopPeers()
	if cfg.Origin.AdminListen != "" {
		adminLn, err := net.Listen("tcp", cfg.Origin.AdminListen)
		if err != nil {
			return fmt.Errorf("EDGESHELF_ADMIN_LISTEN: %w", err)
		}
		log.Info("admin API on its own listener", "listen", "http://"+adminLn.Addr().String())
		go func() { errc <- srv.ServeAdmin(adminLn) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.Origin.ShutdownTimeout.String())
	if err := srv.Shutdown(context.Background()); err != nil {
		log.Error("shutdown", "err", err)
	}
	p.cache.Close() // the last back-fills to L2 land before the process exits
	log.Info("stopped")
	return nil
}

// reportExpansion prints the expansion report read from the store: the same
// table GET /admin/reports/expansion gives with Accept: text/plain.
func reportExpansion(args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadCommand(config.ReportExpansion, args, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	blob, err := openStore(ctx, cfg.Store)
	if err != nil {
		return err
	}
	rep, err := expansion.Load(ctx, blob, cfg.Expansion, cfg.Expansion.Weeks, time.Now())
	if err != nil {
		return err
	}
	return rep.WriteTable(stdout)
}

func openStore(ctx context.Context, cfg config.StoreConfig) (store.Blob, error) {
	if strings.HasPrefix(cfg.URL, "s3://") {
		bucket, prefix, err := s3.ParseURL(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("EDGESHELF_STORE: %w", err)
		}
		s, err := s3.New(ctx, bucket, prefix, cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("EDGESHELF_STORE: %w", err)
		}
		return s, nil
	}
	s, err := fs.New(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_STORE: %w", err)
	}
	return s, nil
}

func newLogger(cfg config.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated in config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
