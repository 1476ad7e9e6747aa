// Command soak runs the edgeshelf binary for a bounded time under mixed
// traffic and checks that its memory and goroutines stay flat:
//
//	go run ./bench/soak [--duration 8m] [--warmup 4m] [--binary bin/edgeshelf]
//
// It starts versitygw (or uses a directory store with --store fs), uploads
// the demo store, starts the binary as a child on loopback and sends
// variants (repeated and never-seen), GET /route, admin inventory PATCHes
// and rules GETs from --workers clients. Every --interval it samples the
// child's RSS (/proc/<pid>/status) and goroutines (/metrics) and prints a
// row. After the run it fails (exit 1) when, past the warm-up, RSS or
// goroutines grew by --max-growth percent or more, when RSS went above the
// L1 budget plus --rss-headroom, when a request failed, or when the server
// did not stop cleanly on SIGTERM. Traffic goes only to the child on
// 127.0.0.1. `make soak` runs it.
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
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

type options struct {
	duration, warmup, interval time.Duration
	binary                     string
	store                      string // s3 or fs
	l1Bytes, rssHeadroom       bytesize.Size
	workers                    int
	maxGrowth                  float64 // percent
	seed                       uint64
	// s3Flap, when set, takes S3 down and up again every s3Flap (s3 store
	// only): misses may then answer 503 + Retry-After, but every answer
	// must come within the request deadline + 2 s.
	s3Flap time.Duration
}

func main() {
	opts := options{l1Bytes: 32 << 20, rssHeadroom: 300 << 20}
	flag.DurationVar(&opts.duration, "duration", 8*time.Minute, "how long traffic runs, warm-up included")
	flag.DurationVar(&opts.warmup, "warmup", 4*time.Minute, "traffic before the growth baseline is taken (L1 fills, pools and the C heap settle)")
	flag.DurationVar(&opts.interval, "interval", 10*time.Second, "sampling interval of RSS and goroutines")
	flag.StringVar(&opts.binary, "binary", "", "edgeshelf binary to run (default: go build one into a temporary directory)")
	flag.StringVar(&opts.store, "store", "s3", "s3 (versitygw, `make tools`) or fs (a directory)")
	flag.TextVar(&opts.l1Bytes, "l1-bytes", opts.l1Bytes, "the server's L1 budget (EDGESHELF_L1_BYTES)")
	flag.TextVar(&opts.rssHeadroom, "rss-headroom", opts.rssHeadroom, "RSS allowed above the L1 budget")
	flag.IntVar(&opts.workers, "workers", 4, "concurrent clients")
	flag.Float64Var(&opts.maxGrowth, "max-growth", 5, "largest growth of RSS and goroutines after the warm-up, in percent (exclusive)")
	flag.Uint64Var(&opts.seed, "seed", 1, "traffic mix seed")
	flag.DurationVar(&opts.s3Flap, "s3-flap", 0, "take S3 down and up again every interval (refused, then black-holed connections); 0: never")
	flag.Parse()
	if err := opts.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v, err := run(ctx, opts, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !v.ok() {
		os.Exit(1)
	}
}

// flapping reports whether S3 is taken down during the run.
func (o options) flapping() bool { return o.s3Flap > 0 }

func (o options) validate() error {
	switch {
	case o.duration <= 0 || o.duration > 24*time.Hour:
		return errors.New("--duration must be within (0, 24h]")
	case o.interval <= 0:
		return errors.New("--interval must be positive")
	case o.warmup < 0 || o.warmup+2*o.interval > o.duration:
		return errors.New("--warmup must leave at least two sampling intervals of --duration")
	case o.s3Flap < 0 || o.s3Flap > 0 && o.store != "s3":
		return errors.New("--s3-flap needs --store s3 and a positive interval")
	case o.store != "s3" && o.store != "fs":
		return fmt.Errorf("--store %q: want s3 or fs", o.store)
	case o.workers < 1 || o.workers > 64:
		return errors.New("--workers must be within 1..64")
	case o.l1Bytes <= 0:
		return errors.New("--l1-bytes must be positive: the RSS budget is measured against it")
	}
	return nil
}

// run sets everything up, soaks, and reports. Its error is a failure to
// run the soak at all; the verdict says whether the server passed.
func run(ctx context.Context, opts options, stdout, stderr io.Writer) (verdict, error) {
	tmp, err := os.MkdirTemp("", "edgeshelf-soak-")
	if err != nil {
		return verdict{}, err
	}
	defer os.RemoveAll(tmp)
	say := func(format string, args ...any) { fmt.Fprintf(stderr, "soak: "+format+"\n", args...) }

	bin := opts.binary
	if bin == "" {
		say("building the server…")
		bin = filepath.Join(tmp, "edgeshelf")
		if err := buildServer(ctx, bin); err != nil {
			return verdict{}, err
		}
	}
	st, err := prepareStore(ctx, opts.store, tmp, opts.s3Flap, say)
	if err != nil {
		return verdict{}, err
	}
	defer st.stop()
	srv, err := startServer(ctx, bin, tmp, opts, st.env)
	if err != nil {
		return verdict{}, err
	}
	defer srv.kill()
	say("server pid %d on %s (%s store, L1 %s); %s of traffic, warm-up %s, a sample every %s",
		srv.pid, srv.base, opts.store, opts.l1Bytes, opts.duration, opts.warmup, opts.interval)

	tr, err := newTraffic(srv.base, srv.token, opts)
	if err != nil {
		return verdict{}, err
	}
	if st.flap != nil {
		flapCtx, stopFlap := context.WithCancel(ctx)
		defer stopFlap()
		go st.flap.run(flapCtx, say)
	}
	samples, err := soak(ctx, srv, tr, opts, stdout)
	if err != nil {
		return verdict{}, err
	}
	peak := srv.peakRSS()
	stopErr := srv.stop(30 * time.Second)
	v := evaluate(samples, opts, tr.stats(), peak, stopErr)
	v.print(stdout, opts)
	return v, nil
}

// soak runs the traffic for the duration and samples the server.
func soak(ctx context.Context, srv *server, tr *traffic, opts options, stdout io.Writer) ([]sample, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.duration)
	defer cancel()
	start := time.Now()
	done := tr.run(ctx)
	printHeader(stdout)
	var samples []sample
	tick := time.NewTicker(opts.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			if err := context.Cause(ctx); !errors.Is(err, context.DeadlineExceeded) {
				return samples, fmt.Errorf("interrupted: %w", err)
			}
			return samples, nil
		case <-tick.C:
			s, err := srv.sample(ctx, time.Since(start), tr)
			if err != nil {
				if ctx.Err() != nil {
					continue // the run ended while sampling
				}
				cancel()
				<-done
				return samples, err
			}
			samples = append(samples, s)
			s.printRow(stdout, opts.warmup)
		}
	}
}
