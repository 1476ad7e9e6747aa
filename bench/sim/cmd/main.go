// Command cmd is the cache trace simulator (bench/sim): it replays traces
// through the memory tier's policies at budgets given as fractions of the
// working set, next to the offline references, and writes a table, plots
// and PASS/FAIL lines for issue #17's checks under bench/results/<timestamp>/.
//
//	go run ./bench/sim/cmd                                 # the checks
//	go run ./bench/sim/cmd --trace access.trace            # replay an operator's trace
//	go run ./bench/sim/cmd --vs-origin --skus 50           # the same traffic through a real origin
//	go run ./bench/sim/cmd --write-sizes bench/sim/testdata/sizes.csv
//
// See bench/README.md, "Trace simulator".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := runE(ctx, args, stdout, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errChecksFailed):
		fmt.Fprintln(stderr, "sim:", err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "sim:", err)
		return 1
	}
	return 0
}

var errChecksFailed = errors.New("some checks failed")

func runE(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	if f.writeSizes != "" {
		return writeSizes(ctx, root, f.writeSizes, f.presets, f.formats, stderr)
	}
	sizes, err := f.loadSizes()
	if err != nil {
		return err
	}
	say := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	start := time.Now()
	s, err := f.simulate(sizes, say)
	if err != nil {
		return err
	}
	if f.vsOrigin {
		if s.VsOrigin, err = f.runVsOrigin(ctx, root, sizes, say); err != nil {
			return err
		}
	}
	s.Command = "go run ./bench/sim/cmd " + strings.Join(args, " ")
	s.Started, s.Elapsed = start.UTC(), time.Since(start)
	s.Checks = append(append(sweepChecks(s.Sweep, f.newPolicy), scanChecks(s.Scan, f.newPolicy)...), vsChecks(s.VsOrigin)...)
	dir := f.outDir
	if dir == "" {
		dir = filepath.Join(root, "bench", "results", start.UTC().Format("20060102-150405")+"-sim")
	}
	if _, err := write(dir, s); err != nil {
		return err
	}
	if len(s.Sweep) > 0 {
		fmt.Fprint(stdout, table(s.Sweep, true))
		fmt.Fprintln(stdout, boundNote)
	}
	failed := false
	for _, c := range s.Checks {
		fmt.Fprintln(stdout, c)
		failed = failed || !c.Pass
	}
	fmt.Fprintln(stdout, "results:", dir)
	if failed {
		return errChecksFailed
	}
	return nil
}

// loadSizes reads --sizes, or the committed table.
func (f *simFlags) loadSizes() (*sim.Sizes, error) {
	if f.sizesFile == "" {
		return sim.DefaultSizes()
	}
	fh, err := os.Open(f.sizesFile)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return sim.ReadSizes(fh)
}
