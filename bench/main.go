// Command bench is edgeshelf's cache-latency harness: it measures what
// end-to-end latency, hit ratio and origin cost each cache-tier layout gives
// on product-page traffic (Zipf over variants, open-loop arrivals), with a
// real S3 (versitygw) behind an injected slow link.
//
//	go run ./bench --scenario tiers --catalog generated --skus 300 --rate 25
//	go run ./bench --url 'http://127.0.0.1:8080/img/{sku}/{view}/{preset}.{fmt}' --catalog demo
//	go run ./bench --compare a/results.json b/results.json
//
// Output goes to bench/results/<timestamp>/: results.json, results.csv,
// report.md and PNG plots. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/internal/bytesize"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	dir, err := runE(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if dir != "" {
		fmt.Fprintln(stdout, "results:", dir)
	}
	return 0
}

// runE parses flags, runs the scenario and writes the results, returning
// their directory ("" for --compare).
func runE(ctx context.Context, args []string, stdout, stderr io.Writer) (string, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o           harness.Options
		presets     = fs.String("presets", "thumb,card,pdp", "catalog presets requested")
		formats     = fs.String("formats", "jpg,webp", "formats requested (jpg png webp avif)")
		locales     = fs.String("locales", "en-US,de-DE", "locales requested (distinct colour profiles make distinct variants)")
		layouts     = fs.String("layouts", "", "layouts: none,regional,l1,l1+l2 (default: all for tiers, regional,l1,l1+l2 for sweep-rate, l1+l2 for catalog-growth)")
		rates       = fs.String("rates", "10,20,40", "sweep-rate: request rates (req/s)")
		l1          = fs.String("l1-bytes", "512MiB", "L1 budget of the l1 layouts")
		budgets     = fs.String("l1-budgets", "1MiB,4MiB,16MiB,64MiB", "sweep-l1-budget: L1 budgets")
		skusList    = fs.String("skus-list", "10,100,1000,10000", "catalog-growth: catalog sizes (SKUs)")
		outDir      = fs.String("out", "", "results directory (default bench/results/<timestamp> in the module)")
		compare     = fs.String("compare", "", "print a/results.json against the results.json given as the next argument, then exit")
		quiet       = fs.Bool("quiet", false, "no progress bar")
		allowRemote = fs.Bool("allow-remote", false, "let --url target a host other than loopback")
	)
	fs.StringVar(&o.Scenario, "scenario", "tiers", "scenario: "+strings.Join(harness.Scenarios, ", "))
	fs.StringVar(&o.URLTemplate, "url", "", "target an external origin: URL template with {sku} {view} {preset} {fmt} [{locale}] (default: start edgeshelf in-process)")
	fs.StringVar(&o.Store, "store", "s3", "in-process store: s3 (versitygw started by the harness) or fs")
	fs.StringVar(&o.Catalog, "catalog", "generated", "demo, or generated (--skus SKUs copied from the demo photos)")
	fs.IntVar(&o.SKUs, "skus", 300, "generated catalog size")
	fs.IntVar(&o.MaxViews, "max-views", 0, "generated SKUs: at most this many views (0: as the demo SKU; catalog-growth defaults to 1)")
	fs.Float64Var(&o.Rate, "rate", 25, "open-loop request rate (req/s)")
	fs.Float64Var(&o.ZipfS, "zipf-s", 1.0, "Zipf exponent of variant popularity (any s ≥ 0)")
	fs.Uint64Var(&o.Seed, "seed", 1, "workload seed (same seed, same request sequence)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time per run")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured time before each run")
	fs.DurationVar(&o.S3Latency, "s3-latency", 20*time.Millisecond, "latency injected before every S3 call")
	fs.DurationVar(&o.S3Jitter, "s3-jitter", 5*time.Millisecond, "± uniform jitter on the injected latency")
	fs.BoolVar(&o.Restart, "restart", true, "tiers: re-run each layout with L1 after a restart (fresh L1, same L2)")
	fs.StringVar(&o.WarmHub, "warm-hub", "eu-waw", "cold-start: hub of the POST /admin/warm request")
	fs.IntVar(&o.WarmSKUs, "warm-skus", 10, "cold-start: prewarm the N most popular SKUs")
	fs.IntVar(&o.MaxInFlight, "max-inflight", 256, "most concurrent requests")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n       go run ./bench --compare a/results.json b/results.json\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *compare != "" {
		if fs.NArg() != 1 {
			return "", errors.New("--compare needs two results.json files: --compare a/results.json b/results.json")
		}
		return "", harness.Compare(stdout, *compare, fs.Arg(0))
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	o.Presets, o.Formats, o.Locales = split(*presets), split(*formats), split(*locales)
	if o.L1Bytes, err = size(*l1); err != nil {
		return "", fmt.Errorf("--l1-bytes: %w", err)
	}
	for _, b := range split(*budgets) {
		n, err := size(b)
		if err != nil {
			return "", fmt.Errorf("--l1-budgets: %w", err)
		}
		o.L1Budgets = append(o.L1Budgets, n)
	}
	for _, r := range split(*rates) {
		f, err := strconv.ParseFloat(r, 64)
		if err != nil || f <= 0 {
			return "", fmt.Errorf("--rates: %q is not a rate", r)
		}
		o.Rates = append(o.Rates, f)
	}
	for _, s := range split(*skusList) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return "", fmt.Errorf("--skus-list: %q is not a count", s)
		}
		o.SKUsList = append(o.SKUsList, n)
	}
	o.Layouts = split(*layouts)
	if !set["layouts"] {
		switch o.Scenario {
		case "sweep-rate":
			o.Layouts = []string{"regional", "l1", "l1+l2"}
		case "catalog-growth":
			o.Layouts = []string{"l1+l2"}
		default:
			o.Layouts = []string{"none", "regional", "l1", "l1+l2"}
		}
	}
	if o.Scenario == "catalog-growth" && !set["max-views"] {
		o.MaxViews = 1
	}
	if o.Catalog != "demo" && o.Catalog != "generated" {
		return "", fmt.Errorf("--catalog: %q is not demo or generated", o.Catalog)
	}
	if o.Store != "s3" && o.Store != "fs" {
		return "", fmt.Errorf("--store: %q is not s3 or fs", o.Store)
	}
	if o.URLTemplate != "" {
		if err := checkTarget(o.URLTemplate, *allowRemote); err != nil {
			return "", err
		}
		if o.Scenario != "tiers" && o.Scenario != "sweep-rate" {
			return "", fmt.Errorf("--url works with the tiers and sweep-rate scenarios; %s needs the in-process origin", o.Scenario)
		}
	}
	// Bounded: every run sends a fixed number of requests.
	if total := (o.Duration + o.Warmup).Seconds() * o.Rate; total > 1_000_000 {
		return "", fmt.Errorf("%.0f requests per run is over the 1,000,000 bound: lower --rate or --duration", total)
	}
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	o.DemoDir = filepath.Join(root, "demo")
	o.Out = stderr
	o.Progress = !*quiet && isTerminal(stderr)
	dir := *outDir
	if dir == "" {
		dir = filepath.Join(root, "bench", "results", time.Now().UTC().Format("20060102-150405"))
	}
	res, err := harness.Run(ctx, o)
	if res == nil || len(res.Runs) == 0 {
		return "", err
	}
	res.Command = "go run ./bench " + strings.Join(args, " ")
	if werr := harness.Write(dir, res); werr != nil {
		return "", errors.Join(err, werr)
	}
	for _, c := range harness.Checks(res) {
		fmt.Fprintln(stdout, c)
	}
	return dir, err
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func size(s string) (int64, error) {
	var b bytesize.Size
	if err := b.UnmarshalText([]byte(s)); err != nil {
		return 0, err
	}
	return int64(b), nil
}

// checkTarget keeps traffic on loopback unless told otherwise.
func checkTarget(tmpl string, allowRemote bool) error {
	r := strings.NewReplacer("{sku}", "s", "{view}", "v", "{preset}", "p", "{fmt}", "jpg", "{locale}", "en-US")
	u, err := url.Parse(r.Replace(tmpl))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url: %q is not an http(s) URL template", tmpl)
	}
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
		return nil
	}
	return fmt.Errorf("--url: %s is not a loopback address (pass --allow-remote to benchmark another host)", host)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
