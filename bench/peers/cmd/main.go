// Command peers runs edgeshelf and imgproxy side by side on the same
// generated originals with equal settings (issue #16) and writes
// bench/results/<timestamp>-peers/{report.md,results.json}.
//
//	make bench-peers                       # builds both, then runs this
//	go run ./bench/peers/cmd --edgeshelf-bin bin/edgeshelf --imgproxy-bin /path/to/imgproxy
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/peers"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := run(ctx, os.Args[1:], os.Stderr)
	if dir != "" {
		fmt.Println("results:", dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-peers:", err)
		os.Exit(1)
	}
}

type flags struct {
	edgeshelfBin, imgproxyBin, originalsDir, outDir string
	edgeshelfFlags, source                          string
	workloads, formats                              string
	n, rounds, concurrency                          int
	duration                                        time.Duration
}

func parse(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.edgeshelfBin, "edgeshelf-bin", "bin/edgeshelf", "edgeshelf binary (make build)")
	fs.StringVar(&f.edgeshelfFlags, "edgeshelf-flags", "", "extra edgeshelf flags, space-separated, after the harness's own (they win), e.g. \"--render-concurrency 4\"")
	fs.StringVar(&f.imgproxyBin, "imgproxy-bin", os.Getenv("IMGPROXY_BIN"),
		"imgproxy binary (default $IMGPROXY_BIN; make bench-peers builds one with build-imgproxy.sh from PEERS_DIR)")
	fs.StringVar(&f.originalsDir, "originals-dir", "", "where the generated originals are kept between runs (default $TMPDIR/edgeshelf-peers-originals-<n>)")
	fs.StringVar(&f.source, "source", "jpeg", "the originals' format: jpeg (generated), avif or heic (the JPEGs transcoded once, kept beside them)")
	fs.StringVar(&f.outDir, "out", "", "results directory (default bench/results/<timestamp>-peers)")
	fs.StringVar(&f.workloads, "workloads", strings.Join(peers.Workloads, ","), "workloads to run: steady, product, cold")
	fs.StringVar(&f.formats, "formats", strings.Join(peers.Formats, ","), "output formats: jpg, webp, avif")
	fs.IntVar(&f.n, "originals", 64, "distinct 6 MP originals")
	fs.IntVar(&f.rounds, "rounds", 4, "rounds; each measures edgeshelf then imgproxy")
	fs.IntVar(&f.concurrency, "c", 8, "connections (closed loop, like wrk -c)")
	fs.DurationVar(&f.duration, "duration", 15*time.Second, "per server, workload, format and round (steady, product)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.imgproxyBin == "" {
		return f, errors.New("no imgproxy: pass --imgproxy-bin or set IMGPROXY_BIN (make bench-peers builds it)")
	}
	if err := oneOf(f.workloads, peers.Workloads); err != nil {
		return f, fmt.Errorf("--workloads: %w", err)
	}
	if err := oneOf(f.formats, peers.Formats); err != nil {
		return f, fmt.Errorf("--formats: %w", err)
	}
	if !slices.Contains(peers.SourceFormats, f.source) {
		return f, fmt.Errorf("--source: unknown %q (want %s)", f.source, strings.Join(peers.SourceFormats, ", "))
	}
	if f.rounds < 1 || f.n < 1 || f.concurrency < 1 {
		return f, errors.New("--rounds, --originals and -c must be at least 1")
	}
	return f, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) (string, error) {
	f, err := parse(args, stderr)
	if err != nil {
		return "", err
	}
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	if f.originalsDir == "" {
		f.originalsDir = filepath.Join(os.TempDir(), fmt.Sprintf("edgeshelf-peers-originals-%d", f.n))
	}
	fmt.Fprintf(stderr, "originals: %d in %s (made once, then reused)\n", f.n, f.originalsDir)
	originals, err := peers.Generate(f.originalsDir, filepath.Join(root, "demo"), f.n)
	if err != nil {
		return "", fmt.Errorf("generating originals: %w", err)
	}
	if originals, err = originals.Transcode(f.source, f.originalsDir+"-"+f.source); err != nil {
		return "", err
	}
	started := time.Now()
	dir := f.outDir
	if dir == "" {
		dir = filepath.Join(root, "bench", "results", started.UTC().Format("20060102-150405")+"-peers")
	}
	logDir := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return "", err
	}
	o := peers.Options{
		Sides:     []peers.Side{peers.Edgeshelf(f.edgeshelfBin, strings.Fields(f.edgeshelfFlags)...), peers.Imgproxy(f.imgproxyBin)},
		Originals: originals, Workloads: split(f.workloads), Formats: split(f.formats),
		Rounds: f.rounds, Duration: f.duration, Concurrency: f.concurrency, LogDir: logDir, Progress: stderr,
	}
	samples, runErr := peers.Run(ctx, o)
	versions := map[string]string{"edgeshelf": version(f.edgeshelfBin), "imgproxy": version(f.imgproxyBin)}
	res := peers.NewResults(o, samples, versions, started)
	res.Command = "go run ./bench/peers/cmd " + strings.Join(args, " ")
	if err := res.Write(dir); err != nil {
		return "", errors.Join(runErr, err)
	}
	fmt.Fprint(stderr, "\n"+peers.Tables(res.Rows))
	if n := res.Failed(); n > 0 && runErr == nil {
		runErr = fmt.Errorf("%d responses failed (see report.md)", n)
	}
	return dir, runErr
}

func oneOf(list string, known []string) error {
	names := split(list)
	if len(names) == 0 {
		return errors.New("empty")
	}
	for _, n := range names {
		if !slices.Contains(known, n) {
			return fmt.Errorf("unknown %q (want %s)", n, strings.Join(known, ", "))
		}
	}
	return nil
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

// version is what `bin version` prints, first line.
func version(bin string) string {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
