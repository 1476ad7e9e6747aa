package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/freeport"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// peerSecret is the shared secret of the test clusters.
const peerSecret = "peer-secret-for-tests-0123456789"

// peerRefresh is the clusters' EDGESHELF_PEERS_REFRESH.
const peerRefresh = time.Second

// replica is one origin process of a test cluster.
type replica struct {
	cmd      *exec.Cmd
	base     string // public http://host:port
	peerAddr string
	done     chan error
}

// peerCluster is n origin processes on loopback sharing one versitygw
// bucket (the demo store) and knowing each other by a static list.
type peerCluster struct {
	replicas []*replica
	client   *http.Client
}

func startPeerCluster(t *testing.T, bin string, n int, extraEnv ...string) *peerCluster {
	t.Helper()
	s3srv := s3test.Start(t)
	origintest.UploadDemo(t, s3srv.Store(t, "demo"))
	secretFile := filepath.Join(t.TempDir(), "peer-secret")
	if err := os.WriteFile(secretFile, []byte(peerSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addrs := make([]string, n)
	for i := range addrs {
		addr, err := freeport.Loopback()
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = addr
	}
	cfg := s3srv.Config()
	env := append(os.Environ(), "EDGESHELF_STORE=s3://"+s3srv.Bucket+"/demo", "EDGESHELF_S3_ENDPOINT="+cfg.Endpoint,
		"EDGESHELF_S3_PATH_STYLE=true", "EDGESHELF_S3_ACCESS_KEY_ID="+cfg.AccessKeyID, "EDGESHELF_S3_SECRET_ACCESS_KEY="+cfg.SecretAccessKey,
		"EDGESHELF_PEERS="+strings.Join(addrs, ","), "EDGESHELF_PEER_SECRET_FILE="+secretFile,
		"EDGESHELF_PEERS_REFRESH="+peerRefresh.String(), "EDGESHELF_PEER_TIMEOUT=10s", "EDGESHELF_RENDER_QUEUE_WAIT=0s",
		"EDGESHELF_CLIENT_MAX_INFLIGHT=0", "EDGESHELF_DRAIN_DELAY=0s")
	env = append(env, extraEnv...)
	pc := &peerCluster{client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	for _, a := range addrs {
		pc.replicas = append(pc.replicas, startReplica(t, bin, a, append(env, "EDGESHELF_PEER_SELF="+a, "EDGESHELF_PEER_LISTEN="+a)))
	}
	pc.waitFormed(t)
	return pc
}

// waitFormed waits until no replica suspects another: the first started
// probed the others before they listened. (Readiness does not wait for
// this; the test does, so that ownership is settled.)
func (pc *peerCluster) waitFormed(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, r := range pc.replicas {
		for {
			v, err := membersOf(pc, r, "")
			if err == nil && len(v.Suspects) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s still suspects %v (err %v)", r.peerAddr, v.Suspects, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// startReplica runs the binary and waits for its start-up line.
func startReplica(t *testing.T, bin, peerAddr string, env []string) *replica {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--log-level", "info")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	r := &replica{cmd: cmd, peerAddr: peerAddr, done: make(chan error, 1)}
	lines := bufio.NewScanner(stderr)
	var logs []string
	for lines.Scan() {
		logs = append(logs, lines.Text())
		var rec struct{ Msg, Listen string }
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "edgeshelf serving" {
			r.base = rec.Listen
			break
		}
	}
	if r.base == "" {
		t.Fatalf("no start-up line; logs:\n%s", strings.Join(logs, "\n"))
	}
	go func() {
		_, _ = io.Copy(io.Discard, stderr)
		r.done <- cmd.Wait()
	}()
	return r
}

// get fetches a URL and returns its status, tier (Server-Timing) and body.
func (pc *peerCluster) get(url string) (int, string, []byte, error) {
	resp, err := pc.client.Get(url)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	tier, _, _ := strings.Cut(strings.TrimPrefix(resp.Header.Get("Server-Timing"), "tier;desc="), ",")
	return resp.StatusCode, tier, body, err
}

// metric reads one unlabelled sample from a replica's /metrics.
func (pc *peerCluster) metric(t *testing.T, r *replica, name string) float64 {
	t.Helper()
	status, _, body, err := pc.get(r.base + "/metrics")
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", status, err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}

// sum is a metric summed over the replicas still running.
func (pc *peerCluster) sum(t *testing.T, name string, rs ...*replica) float64 {
	t.Helper()
	if len(rs) == 0 {
		rs = pc.replicas
	}
	total := 0.0
	for _, r := range rs {
		total += pc.metric(t, r, name)
	}
	return total
}

// variantURL is the i-th distinct ad-hoc variant: a SKU and a width.
func variantURL(i int) string {
	return fmt.Sprintf("/img/%s/front/_.jpg?w=%d", skus[i%len(skus)], 120+i/len(skus))
}

// fanOut runs n requests over workers goroutines; url(i) names the i-th.
// It returns the statuses other than 200 and the bodies by URL.
func (pc *peerCluster) fanOut(n, workers int, url func(i int) string) (failures map[string]int, bodies map[string][]byte) {
	failures, bodies = map[string]int{}, map[string][]byte{}
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				u := url(i)
				status, _, body, err := pc.get(u)
				mu.Lock()
				switch {
				case err != nil:
					failures[err.Error()]++
				case status != http.StatusOK:
					failures[strconv.Itoa(status)]++
				default:
					bodies[u] = body
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return failures, bodies
}
