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
	f, err := parseFlags(args, stderr)
	if err != nil {
		return "", err
	}
	if f.compare != "" {
		if f.fs.NArg() != 1 {
			return "", errors.New("--compare needs two results.json files: --compare a/results.json b/results.json")
		}
		return "", harness.Compare(stdout, f.compare, f.fs.Arg(0))
	}
	if f.pageSummary != "" {
		if f.fs.NArg() == 0 {
			return "", errors.New("--page-summary needs page-views results.json files: --page-summary DIR a/results.json b/results.json …")
		}
		out, err := harness.PageSummary(f.pageSummary, f.fs.Args())
		if err == nil {
			fmt.Fprintln(stdout, "summary:", out)
		}
		return "", err
	}
	if f.rerender {
		if f.fs.NArg() == 0 {
			return "", errors.New("--rerender needs results.json files: --rerender a/results.json …")
		}
		for _, p := range f.fs.Args() {
			if err := harness.Rerender(p); err != nil {
				return "", err
			}
			fmt.Fprintln(stdout, "rerendered:", filepath.Dir(p))
		}
		return "", nil
	}
	if f.fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected arguments %q", f.fs.Args())
	}
	o, err := f.options()
	if err != nil {
		return "", err
	}
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	o.DemoDir = filepath.Join(root, "demo")
	o.Out = stderr
	o.Progress = !f.quiet && isTerminal(stderr)
	dir := f.outDir
	if dir == "" {
		dir = filepath.Join(root, "bench", "results", time.Now().UTC().Format("20060102-150405"))
	}
	res, err := harness.Run(ctx, o)
	if res == nil || len(res.Runs)+len(res.PageRuns) == 0 {
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

// benchFlags are the parsed command line: o holds what maps onto
// harness.Options directly, the rest is checked and converted by options.
type benchFlags struct {
	fs                                        *flag.FlagSet
	o                                         harness.Options
	presets, formats, locales, layouts, rates string
	l1, budgets, skusList, outDir, compare    string
	pageSummary                               string
	quiet, allowRemote, rerender              bool
	page                                      pageFlags
	set                                       map[string]bool // flags given explicitly
}

func parseFlags(args []string, stderr io.Writer) (*benchFlags, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &benchFlags{fs: fs, set: map[string]bool{}}
	fs.StringVar(&f.presets, "presets", "thumb,card,pdp", "catalog presets requested")
	fs.StringVar(&f.formats, "formats", "jpg,webp", "formats requested (jpg png webp avif)")
	fs.StringVar(&f.locales, "locales", "en-US,de-DE", "locales requested (distinct colour profiles make distinct variants)")
	fs.StringVar(&f.layouts, "layouts", "", "layouts: none,regional,l1,l1+l2,regional+l1,l2 (default: all for tiers, regional,l1,l1+l2 for sweep-rate, l1+l2 for catalog-growth)")
	fs.StringVar(&f.rates, "rates", "10,20,40", "sweep-rate: request rates (req/s)")
	fs.StringVar(&f.l1, "l1-bytes", "512MiB", "L1 budget of the l1 layouts")
	fs.StringVar(&f.budgets, "l1-budgets", "1MiB,4MiB,16MiB,64MiB", "sweep-l1-budget: L1 budgets")
	fs.StringVar(&f.skusList, "skus-list", "10,100,1000,10000", "catalog-growth: catalog sizes (SKUs)")
	fs.StringVar(&f.outDir, "out", "", "results directory (default bench/results/<timestamp> in the module)")
	fs.StringVar(&f.compare, "compare", "", "print a/results.json against the results.json given as the next argument, then exit")
	fs.BoolVar(&f.rerender, "rerender", false, "rewrite report.md, results.csv and the plots beside each results.json given as an argument, from it, with this code, then exit")
	fs.StringVar(&f.pageSummary, "page-summary", "", "write summary.md (every layout per run, reproducibility of runs of the same command, cost and p99 vs catalog size) into this directory from the page-views results.json files given as arguments, then exit")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "let --url target a host other than loopback")
	optionFlags(fs, &f.o)
	f.page.register(fs, &f.o)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n       go run ./bench --compare a/results.json b/results.json\n       go run ./bench --page-summary DIR a/results.json b/results.json …\n       go run ./bench --rerender a/results.json …\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, nil
}

// optionFlags are the flags that set harness.Options fields as they are.
func optionFlags(fs *flag.FlagSet, o *harness.Options) {
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
	fs.BoolVar(&o.PatientRenders, "patient-renders", false, "renders wait for a slot instead of a 503 after the render queue wait (page-views always does)")
	fs.StringVar(&o.WarmHub, "warm-hub", "eu-waw", "cold-start: hub of the POST /admin/warm request")
	fs.IntVar(&o.WarmSKUs, "warm-skus", 10, "cold-start: prewarm the N most popular SKUs")
	fs.IntVar(&o.MaxInFlight, "max-inflight", 256, "most concurrent requests")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout")
}

// options converts and checks the flags into the harness's Options.
func (f *benchFlags) options() (harness.Options, error) {
	o := f.o
	var err error
	o.Presets, o.Formats, o.Locales = split(f.presets), split(f.formats), split(f.locales)
	if o.L1Bytes, err = size(f.l1); err != nil {
		return o, fmt.Errorf("--l1-bytes: %w", err)
	}
	if o.L1Budgets, err = parseList(f.budgets, "--l1-budgets", size); err != nil {
		return o, err
	}
	if o.Rates, err = parseList(f.rates, "--rates", rate); err != nil {
		return o, err
	}
	if o.SKUsList, err = parseList(f.skusList, "--skus-list", count); err != nil {
		return o, err
	}
	o.Layouts = split(f.layouts)
	if !f.set["layouts"] {
		o.Layouts = defaultLayouts(o.Scenario)
	}
	if err := f.page.apply(&o, f.set); err != nil {
		return o, err
	}
	if o.Scenario == "catalog-growth" && !f.set["max-views"] {
		o.MaxViews = 1
	}
	return o, f.check(o)
}

// check rejects option combinations the harness cannot run.
func (f *benchFlags) check(o harness.Options) error {
	if o.Catalog != "demo" && o.Catalog != "generated" {
		return fmt.Errorf("--catalog: %q is not demo or generated", o.Catalog)
	}
	if o.Store != "s3" && o.Store != "fs" {
		return fmt.Errorf("--store: %q is not s3 or fs", o.Store)
	}
	if o.URLTemplate != "" {
		if err := checkTarget(o.URLTemplate, f.allowRemote); err != nil {
			return err
		}
		if o.Scenario != "tiers" && o.Scenario != "sweep-rate" && o.Scenario != "page-views" {
			return fmt.Errorf("--url works with the tiers, sweep-rate and page-views scenarios; %s needs the in-process origin", o.Scenario)
		}
	}
	if err := checkPinnedRates(o); err != nil {
		return err
	}
	// Bounded: every run sends a fixed number of requests.
	if total := (o.Duration + o.Warmup).Seconds() * o.Rate; total > 1_000_000 {
		return fmt.Errorf("%.0f requests per run is over the 1,000,000 bound: lower --rate or --duration", total)
	}
	return nil
}

func defaultLayouts(scenario string) []string {
	switch scenario {
	case "sweep-rate":
		return []string{"regional", "l1", "l1+l2"}
	case "catalog-growth":
		return []string{"l1+l2"}
	case "page-views":
		return []string{"none", "regional", "l1", "l1+l2", "regional+l1"}
	}
	return []string{"none", "regional", "l1", "l1+l2"}
}

// parseList parses a comma-separated flag value item by item; name is the
// flag's, for errors.
func parseList[T any](s, name string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, item := range split(s) {
		v, err := parse(item)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func rate(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%q is not a rate", s)
	}
	return f, nil
}

func count(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a count", s)
	}
	return n, nil
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
