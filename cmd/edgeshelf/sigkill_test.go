package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // the L2 objects checked are JPEG variants
	"io"
	iofs "io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// sigkills is how many times TestSIGKILLLosesNoAcknowledgedDecision kills
// the server.
const sigkills = 20

// TestSIGKILLLosesNoAcknowledgedDecision runs the real binary on a copy of
// the demo store and kills it with SIGKILL at random moments while POST
// /route orders and image misses (L2 writes) run, restarting it each time
// on the same store and local log. After a last start (which replays) and
// a graceful stop, every decision that was answered 200 must be in the
// store exactly once, and every object in the store must be whole: decision
// lines parse, L2 results decode and match what was served.
func TestSIGKILLLosesNoAcknowledgedDecision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	storeDir := origintest.DemoStore(t).Dir()
	logDir := t.TempDir()
	tr := newTraffic()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 21))
	started := time.Now()
	for kill := range sigkills {
		srv := startServer(t, bin, storeDir, logDir)
		stop := tr.run(srv.base)
		time.Sleep(time.Duration(100+rng.IntN(500)) * time.Millisecond)
		srv.kill(t)
		stop()
		t.Logf("kill %d: %d orders acknowledged so far", kill+1, tr.ackedCount())
	}
	srv := startServer(t, bin, storeDir, logDir)
	srv.stop(t) // SIGTERM: the replay and the final shipping run
	acked := tr.ackedCount()
	found, dups, missing := checkDecisions(t, storeDir, tr, started)
	results, partial := checkObjects(t, storeDir, tr)
	t.Logf("%d kills in %s: %d orders acknowledged, %d found in the store, %d duplicates, %d missing; "+
		"%d image misses served, %d L2 results checked, %d partial objects",
		sigkills, time.Since(started).Round(time.Millisecond), acked, found, dups, missing, tr.imagesServed(), results, partial)
	if acked == 0 || tr.imagesServed() == 0 {
		t.Fatalf("no traffic acknowledged (%d orders, %d images): the test proved nothing", acked, tr.imagesServed())
	}
	if segs, _ := filepath.Glob(filepath.Join(logDir, "*.jsonl")); len(segs) != 0 {
		t.Errorf("segments left in the local log after a graceful stop: %v", segs)
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edgeshelf")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is one run of the binary.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func startServer(t *testing.T, bin, storeDir, logDir string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0")
	// A small batch and a short flush ship often, so kills also land
	// between a Put and the segment's deletion.
	cmd.Env = append(os.Environ(), "EDGESHELF_STORE="+storeDir, "EDGESHELF_DECISION_LOG_DIR="+logDir,
		"EDGESHELF_DECISION_LOG_BATCH=40", "EDGESHELF_DECISION_LOG_FLUSH=1s", "EDGESHELF_DRAIN_DELAY=0s",
		"EDGESHELF_LOG_LEVEL=info", "EDGESHELF_ROUTING_SKIP_AFTER=87600h")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(stderr)
	s := &server{cmd: cmd, done: make(chan error, 1)}
	var logs []string
	for lines.Scan() {
		logs = append(logs, lines.Text())
		var rec struct{ Msg, Listen string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "edgeshelf serving" {
			s.base = rec.Listen
			break
		}
	}
	if s.base == "" {
		t.Fatalf("no start-up line; logs:\n%s", strings.Join(logs, "\n"))
	}
	go func() {
		_, _ = io.Copy(io.Discard, stderr) // Wait closes the pipe: read it to the end first
		s.done <- cmd.Wait()
	}()
	return s
}

func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
}

// skus are the demo's; every one has a front view.
var skus = []string{"amber-oud-50ml", "label-cap", "label-hoodie", "label-longsleeve", "label-mug",
	"label-polo", "label-tee", "label-tote", "rose-absolute-30ml", "vetiver-noir-50ml"}

// traffic drives orders and image misses and remembers what was answered.
type traffic struct {
	client *http.Client
	mu     sync.Mutex
	acked  map[string]int      // decision id → times answered 200
	served map[string][32]byte // ETag → SHA-256 of the body served with it
	other  map[int]int         // statuses other than 200, for the failure message
}

func newTraffic() *traffic {
	return &traffic{
		client: &http.Client{Timeout: 20 * time.Second},
		acked:  map[string]int{}, served: map[string][32]byte{}, other: map[int]int{},
	}
}

// run starts four order loops and two image loops against base; stop ends
// them once their requests have failed or finished.
func (tr *traffic) run(base string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))
			for ctx.Err() == nil {
				var ok bool
				if i < 4 {
					ok = tr.order(ctx, base, rng)
				} else {
					ok = tr.image(ctx, base, rng)
				}
				if !ok {
					time.Sleep(5 * time.Millisecond) // the server is gone: do not spin
				}
			}
		})
	}
	return func() { cancel(); wg.Wait() }
}

// do sends a request and reads the whole answer; a cut body is no answer.
func (tr *traffic) do(req *http.Request) (int, http.Header, []byte, bool) {
	resp, err := tr.client.Do(req)
	if err != nil {
		return 0, nil, nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, false
	}
	if resp.StatusCode != http.StatusOK {
		tr.mu.Lock()
		tr.other[resp.StatusCode]++
		tr.mu.Unlock()
	}
	return resp.StatusCode, resp.Header, body, true
}

func (tr *traffic) order(ctx context.Context, base string, rng *rand.Rand) bool {
	country := []string{"DE", "FR", "PL"}[rng.IntN(3)]
	body := fmt.Sprintf(`{"lines":[{"sku":%q,"qty":1}],"destination":{"country":%q},"locale":"de-DE"}`, skus[rng.IntN(len(skus))], country)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/route", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	status, _, data, ok := tr.do(req)
	if !ok || status != http.StatusOK {
		return ok
	}
	var d struct {
		DecisionID string `json:"decision_id"`
	}
	if json.Unmarshal(data, &d) != nil || d.DecisionID == "" {
		return true
	}
	tr.mu.Lock()
	tr.acked[d.DecisionID]++
	tr.mu.Unlock()
	return true
}

// image asks for an ad-hoc size, almost always a miss: a render and an L2
// write.
func (tr *traffic) image(ctx context.Context, base string, rng *rand.Rand) bool {
	n := 64 + rng.IntN(600)
	url := fmt.Sprintf("%s/img/%s/front/_.jpg?w=%d&h=%d&fit=cover", base, skus[rng.IntN(len(skus))], n, n)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	status, hdr, data, ok := tr.do(req)
	if ok && status == http.StatusOK {
		tr.mu.Lock()
		tr.served[hdr.Get("ETag")] = sha256.Sum256(data)
		tr.mu.Unlock()
	}
	return ok
}

func (tr *traffic) ackedCount() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.acked)
}

func (tr *traffic) imagesServed() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.served)
}

// checkDecisions reads the decision log back from the store: every
// acknowledged id once, no id twice, no line unparsed.
func checkDecisions(t *testing.T, storeDir string, tr *traffic, since time.Time) (found, dups, missing int) {
	t.Helper()
	blob, err := fs.New(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	recs, bad, err := decisionlog.ReadDecisions(context.Background(), blob, since.Add(-24*time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d decision lines in the store do not parse", bad)
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.DecisionID]++
		if seen[r.DecisionID] == 2 {
			dups++
			t.Errorf("decision %s is in the store more than once", r.DecisionID)
		}
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for id, n := range tr.acked {
		if n != 1 {
			t.Errorf("decision id %s was answered %d times", id, n)
		}
		if seen[id] == 0 {
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged decision %s is not in the store", id)
			}
		} else {
			found++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged decisions lost; other statuses: %v", missing, len(tr.acked), tr.other)
	}
	return found, dups, missing
}

// checkObjects walks the store directory: every L2 result is whole (its
// header parses, its JPEG decodes at the header's size and, when it was
// served, has the served bytes) and no Put left a temporary file behind
// under a key's name.
func checkObjects(t *testing.T, storeDir string, tr *traffic) (results, partial int) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	err := filepath.WalkDir(storeDir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(storeDir, p)
		if !strings.HasPrefix(filepath.ToSlash(rel), "results/") || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil // temporary files are no objects: List and Get never see them
		}
		results++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := wholeResult(data, tr.served); err != nil {
			partial++
			t.Errorf("%s: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if results == 0 {
		t.Error("no L2 result was written: the kills never met an L2 write")
	}
	return results, partial
}

// wholeResult checks one L2 object (cache/blob.go's layout: "ESR1", a
// big-endian uint32 header length, the JSON header, the variant bytes).
func wholeResult(data []byte, served map[string][32]byte) error {
	if len(data) < 8 || !bytes.Equal(data[:4], []byte("ESR1")) {
		return fmt.Errorf("not a result object (%d bytes)", len(data))
	}
	n := binary.BigEndian.Uint32(data[4:8])
	if uint64(n) > uint64(len(data)-8) {
		return fmt.Errorf("header cut: %d of %d bytes", len(data)-8, n)
	}
	var hdr struct {
		ETag          string
		Width, Height int
	}
	if err := json.Unmarshal(data[8:8+n], &hdr); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	body := data[8+n:]
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("variant (%d bytes) does not decode: %w", len(body), err)
	}
	if b := img.Bounds(); b.Dx() != hdr.Width || b.Dy() != hdr.Height {
		return fmt.Errorf("decodes at %dx%d, header says %dx%d", b.Dx(), b.Dy(), hdr.Width, hdr.Height)
	}
	if sum, ok := served[hdr.ETag]; ok && sum != sha256.Sum256(body) {
		return fmt.Errorf("bytes differ from those served with ETag %s", hdr.ETag)
	}
	return nil
}
