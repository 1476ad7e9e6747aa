package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// simFlags are the parsed command line.
type simFlags struct {
	traces, policies     []string
	alphas, pageAlphas   []float64
	budgets              []float64 // percent of the working set's bytes
	presets, formats     []string
	newPolicy, traceFile string
	sizesFile, outDir    string
	writeSizes           string
	skus, requests       int
	seed                 uint64
	warmup               float64
	scanWindow           int
	scanFactor           float64
	vsOrigin             bool
	vsSKUs, vsRequests   int
	vsBudgets            []float64
	vsTrace              string
	set                  map[string]bool
}

func parseFlags(args []string, stderr io.Writer) (*simFlags, error) {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &simFlags{set: map[string]bool{}}
	var traces, policies, alphas, pageAlphas, budgets, presets, formats, vsBudgets string
	fs.StringVar(&traces, "traces", "zipf,product-page,churn,scan", "generated traces: zipf (one per --alphas), product-page and churn (one per --page-alphas), scan (the scan experiment)")
	fs.StringVar(&f.traceFile, "trace", "", "replay this recorded trace (EDGESHELF_ACCESS_TRACE file, or CSV time,key,size) instead of the generated ones")
	fs.StringVar(&alphas, "alphas", "0.6,0.8,1.0,1.2", "Zipf exponents of the zipf traces")
	fs.StringVar(&pageAlphas, "page-alphas", "0.8", "Zipf exponents of SKU popularity in the product-page and churn traces")
	fs.StringVar(&budgets, "budgets", "0.5,1,2,5,10,20", "cache budgets, in percent of each trace's working-set bytes")
	fs.StringVar(&policies, "policies", strings.Join(append(policy.Names(), sim.Offline...), ","), "policies and offline references to replay")
	fs.StringVar(&f.newPolicy, "new-policy", policy.Default, "the policy the checks are about (LRU is the baseline)")
	fs.StringVar(&presets, "presets", "thumb,card,pdp,zoom", "presets of the zipf traces (and of --write-sizes)")
	fs.StringVar(&formats, "formats", "jpg,webp,avif", "formats of the zipf traces (and of --write-sizes)")
	fs.IntVar(&f.skus, "skus", 2000, "SKUs of the generated catalog the traces draw from (0: the 10 demo SKUs)")
	fs.IntVar(&f.requests, "requests", 1_000_000, "requests per generated trace")
	fs.Uint64Var(&f.seed, "seed", 1, "trace seed (same seed, same traces)")
	fs.Float64Var(&f.warmup, "warmup", 0.1, "fraction of each trace's first requests replayed but not counted")
	fs.Float64Var(&f.scanFactor, "scan-factor", 2, "scan experiment: scan size, in budgets")
	fs.IntVar(&f.scanWindow, "scan-window", 0, "scan experiment: hot-set requests compared from the scan's start (0: as many as the hot set has keys)")
	fs.StringVar(&f.sizesFile, "sizes", "", "sizes table (default: the committed bench/sim/testdata/sizes.csv)")
	fs.StringVar(&f.outDir, "out", "", "results directory (default bench/results/<timestamp>-sim in the module)")
	fs.StringVar(&f.writeSizes, "write-sizes", "", "render every demo variant through a real origin, write the sizes table to this file and exit")
	fs.BoolVar(&f.vsOrigin, "vs-origin", false, "also drive a trace through a real in-process origin (libvips) and compare its L1 hit ratio with the simulator's")
	fs.IntVar(&f.vsSKUs, "vs-skus", 50, "--vs-origin: SKUs of the generated catalog")
	fs.IntVar(&f.vsRequests, "vs-requests", 3000, "--vs-origin: requests")
	fs.StringVar(&vsBudgets, "vs-budgets", "5,20", "--vs-origin: budgets, in percent of the trace's working set")
	fs.StringVar(&f.vsTrace, "vs-trace", "product-page", "--vs-origin: zipf (α 0.8) or product-page (α 0.8)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	f.traces, f.policies, f.presets, f.formats = split(traces), split(policies), split(presets), split(formats)
	var err error
	for _, l := range []struct {
		name string
		in   string
		out  *[]float64
	}{{"--alphas", alphas, &f.alphas}, {"--page-alphas", pageAlphas, &f.pageAlphas}, {"--budgets", budgets, &f.budgets}, {"--vs-budgets", vsBudgets, &f.vsBudgets}} {
		if *l.out, err = floats(l.in, l.name); err != nil {
			return nil, err
		}
	}
	return f, f.check()
}

func (f *simFlags) check() error {
	if err := sim.Names(append(f.policies, f.newPolicy)); err != nil {
		return err
	}
	if f.warmup < 0 || f.warmup >= 1 {
		return fmt.Errorf("--warmup %g: want a fraction in [0, 1)", f.warmup)
	}
	if f.requests <= 0 || f.requests > 20_000_000 {
		return fmt.Errorf("--requests %d: want 1..20,000,000", f.requests)
	}
	for _, b := range append(f.budgets, f.vsBudgets...) {
		if b <= 0 || b > 100 {
			return fmt.Errorf("budget %g%%: want (0, 100]", b)
		}
	}
	if f.vsTrace != "zipf" && f.vsTrace != "product-page" {
		return fmt.Errorf("--vs-trace %q: want zipf or product-page", f.vsTrace)
	}
	return nil
}

func floats(s, name string) ([]float64, error) {
	var out []float64
	for _, p := range split(s) {
		x, err := strconv.ParseFloat(p, 64)
		if err != nil || x < 0 {
			return nil, fmt.Errorf("%s: %q is not a number ≥ 0", name, p)
		}
		out = append(out, x)
	}
	return out, nil
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
