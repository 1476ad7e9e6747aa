package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/internal/modroot"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

func buildServer(ctx context.Context, out string) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/edgeshelf")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, b)
	}
	return nil
}

// soakStore is the store the server runs on, as EDGESHELF_* settings.
type soakStore struct {
	env  []string
	stop func()
	flap *flapper // nil unless --s3-flap
}

// prepareStore uploads the demo store into versitygw (s3) or a directory
// (fs), with the inventory snapshots restamped as just counted.
func prepareStore(ctx context.Context, kind, tmp string, flap time.Duration, say func(string, ...any)) (*soakStore, error) {
	root, err := modroot.Find()
	if err != nil {
		return nil, err
	}
	demo := filepath.Join(root, "demo")
	if kind == "fs" {
		dir := filepath.Join(tmp, "store")
		st, err := storefs.New(mkdir(dir))
		if err != nil {
			return nil, err
		}
		if err := uploadDemo(ctx, demo, st); err != nil {
			return nil, err
		}
		return &soakStore{env: []string{"EDGESHELF_STORE=" + dir}, stop: func() {}}, nil
	}
	say("starting versitygw (S3) on loopback…")
	srv, err := s3test.Launch(filepath.Join(tmp, "versitygw"))
	if err != nil {
		return nil, err
	}
	blob, err := harness.S3Store(ctx, srv, "soak")
	if err != nil {
		srv.Stop()
		return nil, err
	}
	if err := uploadDemo(ctx, demo, blob); err != nil {
		srv.Stop()
		return nil, err
	}
	cfg := srv.Config()
	st := &soakStore{stop: srv.Stop}
	endpoint := cfg.Endpoint
	if flap > 0 {
		if st.flap, err = startFlapper(strings.TrimPrefix(cfg.Endpoint, "http://"), flap); err != nil {
			srv.Stop()
			return nil, err
		}
		endpoint = st.flap.endpoint()
		st.stop = func() { st.flap.close(); srv.Stop() }
		st.env = append(st.env, "EDGESHELF_REQUEST_TIMEOUT="+flapRequestTimeout.String())
	}
	st.env = append(st.env,
		"EDGESHELF_STORE=s3://"+srv.Bucket+"/soak",
		"EDGESHELF_S3_ENDPOINT="+endpoint,
		"EDGESHELF_S3_PATH_STYLE=true",
		"EDGESHELF_S3_ACCESS_KEY_ID="+cfg.AccessKeyID,
		"EDGESHELF_S3_SECRET_ACCESS_KEY="+cfg.SecretAccessKey,
	)
	return st, nil
}

func mkdir(dir string) string {
	_ = os.MkdirAll(dir, 0o755)
	return dir
}

// uploadDemo copies the demo's catalog, originals, rules and inventory into
// a store, the way a shop sets one up.
func uploadDemo(ctx context.Context, demo string, dst store.Blob) error {
	asOf := time.Now().Add(-10 * time.Second).UTC()
	return filepath.WalkDir(demo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(demo, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		wanted := rel == "catalog.yaml" || rel == routing.ActiveKey || rel == routing.ReferenceKey ||
			strings.HasPrefix(rel, "originals/") && !strings.HasSuffix(rel, ".txt") && !strings.HasSuffix(rel, ".md") ||
			strings.HasPrefix(rel, routing.InventoryPrefix) && strings.HasSuffix(rel, ".json")
		if !wanted {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, routing.InventoryPrefix) {
			snap, err := routing.ParseSnapshot(data)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			snap.AsOf = asOf
			if data, err = json.Marshal(snap); err != nil {
				return err
			}
		}
		if _, err := dst.Put(ctx, rel, data, store.PutOptions{}); err != nil {
			return fmt.Errorf("uploading %s: %w", rel, err)
		}
		return nil
	})
}

// server is the edgeshelf child process.
type server struct {
	pid    int
	base   string // http://127.0.0.1:port
	token  string
	cmd    *exec.Cmd
	exited chan struct{} // closed once the child was waited for
	err    error         // its exit status, set before exited closes
	client *http.Client

	mu   sync.Mutex
	tail []string // the last lines it logged
}

const adminToken = "soak-admin-token-0123456789"

// startServer runs bin serve on a free loopback port and waits for its
// start-up line.
func startServer(ctx context.Context, bin, tmp string, opts options, storeEnv []string) (*server, error) {
	tokens := filepath.Join(tmp, "admin-tokens")
	if err := os.WriteFile(tokens, []byte(adminToken+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	// The developer's EDGESHELF_* settings must not change what is measured.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EDGESHELF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, storeEnv...)
	cmd.Env = append(cmd.Env,
		"EDGESHELF_LISTEN=127.0.0.1:0",
		"EDGESHELF_L1_BYTES="+strconv.FormatInt(int64(opts.l1Bytes), 10),
		"EDGESHELF_ADMIN_TOKEN_FILE="+tokens,
		"EDGESHELF_LOG_LEVEL=info",
		// The demo stock is dated; the soak measures memory, not freshness.
		"EDGESHELF_ROUTING_SKIP_AFTER=87600h",
	)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	detach(cmd)
	s := &server{token: adminToken, cmd: cmd, exited: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second}}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig (see detach) fires when this thread exits: keep it
		// until the child is gone.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(s.exited)
			return
		}
		started <- nil
		s.err = cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s.pid = cmd.Process.Pid

	addr := make(chan string, 1)
	go s.readLog(stderr, addr)
	select {
	case a := <-addr:
		s.base = a
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("the server exited during start-up (%w):\n%s", s.err, s.logTail())
	case <-time.After(60 * time.Second):
		s.kill()
		return nil, fmt.Errorf("no start-up line within 60s:\n%s", s.logTail())
	case <-ctx.Done():
		s.kill()
		return nil, ctx.Err()
	}
}

// readLog finds the start-up line, then keeps the last lines for error
// messages while draining the pipe.
func (s *server) readLog(r io.Reader, addr chan<- string) {
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		var rec struct{ Msg, Listen string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "edgeshelf serving" {
			select {
			case addr <- rec.Listen:
			default:
			}
		}
		s.mu.Lock()
		s.tail = append(s.tail, line)
		if len(s.tail) > 20 {
			s.tail = s.tail[1:]
		}
		s.mu.Unlock()
	}
}

func (s *server) logTail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// settle is how long the clients pause before a sample, so the renders'
// L2 writes and other work a request leaves behind can finish.
const settle = 300 * time.Millisecond

// sample reads the server's RSS and, from /metrics, its goroutines and L1,
// at a quiet moment: the clients pause (their requests in flight finish)
// for the sample. With four clients on a server of some 20 goroutines, one
// request's goroutines read under load are noise the size of the 5 % limit;
// what is left when it is quiet is what could be a leak. Goroutines are the
// least of three reads all the same.
func (s *server) sample(ctx context.Context, at time.Duration, tr *traffic) (sample, error) {
	tr.quiet.Lock()
	defer tr.quiet.Unlock()
	time.Sleep(settle)
	smp := sample{at: at, goroutines: -1}
	for i := range 3 {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		m, err := s.metrics(ctx)
		if err != nil {
			return smp, err
		}
		g := int(m["go_goroutines"])
		if smp.goroutines < 0 || g < smp.goroutines {
			smp.goroutines = g
		}
		smp.l1Bytes = int64(m["edgeshelf_cache_l1_bytes"])
		smp.pyramidBytes = int64(m["edgeshelf_pyramid_bytes"])
		smp.renders = int64(m["edgeshelf_cache_renders_total"])
		smp.goHeap = int64(m["go_memstats_heap_inuse_bytes"])
		smp.vips = int64(m["edgeshelf_libvips_tracked_bytes"])
	}
	rss, _, err := memory(s.pid)
	if err != nil {
		return smp, err
	}
	smp.rss = rss
	smp.requests, smp.failures = tr.counts()
	return smp, nil
}

// metrics reads the unlabelled series of /metrics.
func (s *server) metrics(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return nil, fmt.Errorf("GET /metrics: %w", err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET /metrics: %d %.500s", resp.StatusCode, body)
	}
	out := map[string]float64{}
	for _, line := range bytes.Split(body, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(" "))
		if !ok || bytes.HasPrefix(line, []byte("#")) || bytes.ContainsRune(name, '{') {
			continue
		}
		if v, err := strconv.ParseFloat(string(value), 64); err == nil {
			out[string(name)] = v
		}
	}
	return out, nil
}

// peakRSS is the kernel's high-water mark of the server's resident set.
func (s *server) peakRSS() int64 {
	_, peak, _ := memory(s.pid)
	return peak
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(within time.Duration) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("exit after SIGTERM: %w\n%s", s.err, s.logTail())
		}
		return nil
	case <-time.After(within):
		s.kill()
		return errors.New("no exit within " + within.String() + " of SIGTERM")
	}
}

func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}
