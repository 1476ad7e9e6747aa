package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestPeersRenderOncePerCluster runs three origin processes sharing one
// versitygw (issue #18's must-show): a cold variant asked 300 times at once
// across the three renders once in the cluster; 1,000 distinct variants
// asked round-robin render once each, and the replicas' L1s together hold
// about one copy of them; the peer port wants the secret and the public
// listener does not serve it; a SIGKILLed owner costs no request a 200,
// and the survivors agree on the new owners within the refresh interval.
func TestPeersRenderOncePerCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three origin processes and versitygw")
	}
	pc := startPeerCluster(t, buildBinary(t), 3)
	t.Run("one cold variant, 300 concurrent requests", func(t *testing.T) { checkOneRender(t, pc) })
	t.Run("1000 variants round-robin", func(t *testing.T) { checkEachRenderedOnce(t, pc) })
	t.Run("peer port auth", func(t *testing.T) { checkPeerAuth(t, pc) })
	t.Run("SIGKILL the owner", func(t *testing.T) { checkOwnerKilled(t, pc) })
}

func checkOneRender(t *testing.T, pc *peerCluster) {
	before := pc.sum(t, "edgeshelf_cache_renders_total")
	url := "/img/label-tee/front/_.webp?w=333"
	var wg sync.WaitGroup
	var ok atomic.Int32
	tiers := sync.Map{}
	start := make(chan struct{})
	for i := range 300 {
		wg.Go(func() {
			<-start
			status, tier, _, err := pc.get(pc.replicas[i%3].base + url)
			if err == nil && status == http.StatusOK {
				ok.Add(1)
				n, _ := tiers.LoadOrStore(tier, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	renders := pc.sum(t, "edgeshelf_cache_renders_total") - before
	counts := map[string]int32{}
	tiers.Range(func(k, v any) bool { counts[k.(string)] = v.(*atomic.Int32).Load(); return true })
	t.Logf("300 concurrent requests over 3 replicas: %d × 200, %v renders in the cluster, tiers %v", ok.Load(), renders, counts)
	if ok.Load() != 300 || renders != 1 {
		t.Errorf("%d × 200 and %v renders, want 300 and exactly 1", ok.Load(), renders)
	}
	if counts["peer"] == 0 {
		t.Error("no response came from the owner through the peer port")
	}
}

func checkEachRenderedOnce(t *testing.T, pc *peerCluster) {
	before := pc.sum(t, "edgeshelf_cache_renders_total")
	l1Before := pc.sum(t, "edgeshelf_cache_l1_bytes")
	start := time.Now()
	failures, bodies := pc.fanOut(1000, 6, func(i int) string { return pc.replicas[i%3].base + variantURL(i) })
	renders := pc.sum(t, "edgeshelf_cache_renders_total") - before
	unique := 0
	for _, b := range bodies {
		unique += len(b)
	}
	l1 := pc.sum(t, "edgeshelf_cache_l1_bytes") - l1Before
	ratio := l1 / float64(unique)
	t.Logf("1000 distinct variants round-robin in %s: %d answered, %v renders; L1 bytes summed %.0f / unique %d = %.3f",
		time.Since(start).Round(time.Millisecond), len(bodies), renders, l1, unique, ratio)
	if len(failures) != 0 || len(bodies) != 1000 {
		t.Fatalf("failures %v, %d distinct answers", failures, len(bodies))
	}
	if renders != 1000 {
		t.Errorf("%v renders for 1000 distinct variants, want each rendered once", renders)
	}
	if ratio > 1.2 {
		t.Errorf("L1 bytes summed over the replicas are %.2f× the unique bytes, want ≤ 1.2×", ratio)
	}
}

func checkPeerAuth(t *testing.T, pc *peerCluster) {
	r := pc.replicas[0]
	for name, auth := range map[string]string{"missing": "", "wrong": "Bearer wrong-secret", "right": "Bearer " + peerSecret} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.peerAddr+"/peer/v1/members", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := pc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		want := http.StatusUnauthorized
		if name == "right" {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("%s secret: %d, want %d", name, resp.StatusCode, want)
		}
	}
	for _, path := range []string{"/peer/v1/members", "/peer/v1/variant/label-tee/abc"} {
		req, _ := http.NewRequest(http.MethodGet, r.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+peerSecret)
		resp, err := pc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public listener GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// checkOwnerKilled finds the owner of a fresh variant (the replica whose
// render counter moves), loads the other two with that variant and new
// ones, SIGKILLs the owner meanwhile, and wants only 200s.
func checkOwnerKilled(t *testing.T, pc *peerCluster) {
	probe := "/img/label-mug/front/_.jpg?w=777"
	before := make([]float64, 3)
	for i, r := range pc.replicas {
		before[i] = pc.metric(t, r, "edgeshelf_cache_renders_total")
	}
	if status, _, _, err := pc.get(pc.replicas[0].base + probe); err != nil || status != http.StatusOK {
		t.Fatalf("probe: %d %v", status, err)
	}
	owner := -1
	for i, r := range pc.replicas {
		if pc.metric(t, r, "edgeshelf_cache_renders_total") > before[i] {
			owner = i
		}
	}
	if owner < 0 {
		t.Fatal("no replica rendered the probe")
	}
	var survivors []*replica
	for i, r := range pc.replicas {
		if i != owner {
			survivors = append(survivors, r)
		}
	}
	dead := pc.replicas[owner].peerAddr
	agreedAfter := make(chan time.Duration, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		killedAt := time.Now()
		_ = pc.replicas[owner].cmd.Process.Signal(syscall.SIGKILL)
		agreedAfter <- waitAgreement(pc, survivors, dead, killedAt)
	}()
	failures, bodies := pc.fanOut(600, 6, func(i int) string {
		if i%2 == 0 {
			return survivors[i%2].base + probe
		}
		return survivors[(i/2)%2].base + variantURL(2000+i)
	})
	t.Logf("owner %s killed mid-load: %d distinct answers, failures %v", pc.replicas[owner].peerAddr, len(bodies), failures)
	if len(failures) != 0 {
		t.Errorf("requests to the survivors failed: %v", failures)
	}
	d := <-agreedAfter
	if d < 0 {
		t.Fatal("the survivors did not agree on the owners within 10s of the kill")
	}
	t.Logf("survivors agreed on the new owners %s after the kill (refresh interval %s)", d.Round(time.Millisecond), peerRefresh)
	if d > peerRefresh+500*time.Millisecond {
		t.Errorf("the survivors agreed %s after the kill, want within the refresh interval %s", d, peerRefresh)
	}
}

// waitAgreement polls the survivors' membership views until both suspect
// the dead replica and name the same owner for a set of keys.
// It returns how long after since they agreed, or -1 after 10s. The time is
// that of the poll round that saw them agree, as it began: a round asks 40
// views one after another, which a loaded machine stretches, and that is
// the test's own delay, not the cluster's.
func waitAgreement(pc *peerCluster, survivors []*replica, dead string, since time.Time) time.Duration {
	for time.Since(since) < 10*time.Second {
		round := time.Now()
		if survivorsAgree(pc, survivors, dead) {
			return round.Sub(since)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return -1
}

func survivorsAgree(pc *peerCluster, survivors []*replica, dead string) bool {
	for k := range 20 {
		key := "label-tee/k" + strings.Repeat("x", k)
		var owners []string
		for _, r := range survivors {
			v, err := membersOf(pc, r, key)
			if err != nil || !contains(v.Suspects, dead) {
				return false
			}
			owners = append(owners, v.Owner)
		}
		if owners[0] != owners[1] || owners[0] == dead {
			return false
		}
	}
	return true
}

type membersView struct {
	Suspects []string `json:"suspects"`
	Owner    string   `json:"owner"`
}

func membersOf(pc *peerCluster, r *replica, key string) (membersView, error) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.peerAddr+"/peer/v1/members?key="+key, nil)
	req.Header.Set("Authorization", "Bearer "+peerSecret)
	var v membersView
	resp, err := pc.client.Do(req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&v)
	return v, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
