package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/internal/faultproxy"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

func startFaultRig(t *testing.T) *faultRig {
	t.Helper()
	srv := s3test.Start(t)
	direct := srv.Store(t, "shop/")
	origintest.UploadDemo(t, direct)
	origintest.FreshInventory(t, direct, time.Now().Add(-10*time.Second))

	proxy, err := faultproxy.Start(strings.TrimPrefix(srv.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	cfg := srv.Config()
	cfg.Endpoint = "http://" + proxy.Addr()
	cfg.Timeout = faultS3Timeout
	viaProxy, err := s3.New(t.Context(), srv.Bucket, "shop/", cfg)
	if err != nil {
		t.Fatal(err)
	}
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Store: viaProxy, Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.RequestTimeout = faultRequestTimeout
		// The poller reads the store all through the faults, as in
		// production, and must converge afterwards.
		c.Origin.RoutingPoll = 200 * time.Millisecond
	}})
	client := &http.Client{Timeout: faultClientTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	t.Cleanup(client.CloseIdleConnections)

	rig := &faultRig{t: t, h: h, direct: direct, proxy: proxy, client: client, cached: map[string][]byte{},
		markers: origintest.InternalMarkers(srv.Endpoint, proxy.Addr(), srv.Dir), seen: map[string]*phaseStatus{}}
	rig.seq.Store(100)
	for _, path := range cachedPaths {
		status, _, body, _, err := rig.do(http.MethodGet, path, "", "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("warming %s: %d %v %s", path, status, err, body)
		}
		rig.cached[path] = body
	}
	return rig
}

// cachedPaths are variants served from L1 after the first request: they
// must keep being served, byte for byte, whatever S3 does.
var cachedPaths = []string{
	"/img/label-mug/front/card.webp",
	"/img/amber-oud-50ml/front/thumb.jpg",
	"/img/label-tote/front/card.avif",
}

// distinctSources are the originals the ad-hoc variants are cut from.
var distinctSources = []string{"label-mug/front", "label-tee/back", "amber-oud-50ml/side", "label-cap/front", "vetiver-noir-50ml/box"}

func (r *faultRig) setPhase(name string) { r.phase.Store(&name) }
func (r *faultRig) currentPhase() string { return *r.phase.Load() }

func (r *faultRig) violate(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *faultRig) record(o faultOutcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, o)
}

// do sends one request; admin requests carry the token.
func (r *faultRig) do(method, path, contentType, body string) (int, http.Header, []byte, time.Duration, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.h.URL+path, rd)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	if strings.HasPrefix(path, "/admin/") {
		req.Header.Set("Authorization", "Bearer "+origintest.AdminToken)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, nil, nil, time.Since(start), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, time.Since(start), err
}

// failure checks a non-2xx answer: a 503 problem+json with Retry-After and
// a store code, the only way a fault may surface. It returns the code.
func (r *faultRig) failure(what string, status int, header http.Header, body []byte) string {
	var p struct {
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	r.checkInternals(what, body)
	ct := header.Get("Content-Type")
	if err := json.Unmarshal(body, &p); err != nil || ct != "application/problem+json" || p.Status != status {
		r.violate("%s: %d %q is not a problem+json body: %s", what, status, ct, body)
		return "untyped"
	}
	switch {
	case status != http.StatusServiceUnavailable:
		r.violate("%s: %d %s under an S3 fault, want 503: %s", what, status, p.Code, body)
	case p.Code != "store_unavailable" && p.Code != "render_timeout":
		r.violate("%s: 503 with code %q: %s", what, p.Code, body)
	case header.Get("Retry-After") == "":
		r.violate("%s: 503 %s without Retry-After", what, p.Code)
	}
	return p.Code
}

// cachedReader keeps asking for the warmed variants.
func (r *faultRig) cachedReader(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		path := cachedPaths[i%len(cachedPaths)]
		sent := r.currentPhase()
		status, header, body, took, err := r.do(http.MethodGet, path, "", "")
		o := faultOutcome{op: "cached", sent: sent, settled: r.currentPhase(), status: status, took: took}
		switch {
		case err != nil:
			r.violate("GET %s: %v after %s", path, err, took)
		case status == http.StatusOK:
			if !bytes.Equal(body, r.cached[path]) {
				r.violate("GET %s: 200 with other bytes than before the faults", path)
			}
		default:
			o.code = r.failure("GET "+path, status, header, body)
		}
		r.record(o)
		time.Sleep(2 * time.Millisecond) // L1 hits are cheap: leave the CPU to renders
	}
}

// distinctReader asks for ad-hoc variants never asked before, so each one
// needs S3: an L2 lookup and the original.
func (r *faultRig) distinctReader(ctx context.Context) {
	for ctx.Err() == nil {
		path, width := distinctVariant(r.distinct.Add(1))
		sent := r.currentPhase()
		status, header, body, took, err := r.do(http.MethodGet, path, "", "")
		o := faultOutcome{op: "variant", sent: sent, settled: r.currentPhase(), status: status, took: took}
		switch {
		case err != nil:
			r.violate("GET %s: %v after %s", path, err, took)
		case status == http.StatusOK:
			r.checkJPEG(path, body, width)
		default:
			o.code = r.failure("GET "+path, status, header, body)
		}
		r.record(o)
	}
}

// distinctVariant is the n-th ad-hoc variant: 2,800 of them before they
// repeat, all narrower than their sources.
func distinctVariant(n int64) (path string, width int) {
	src := distinctSources[n%int64(len(distinctSources))]
	width = 40 + int(n/int64(len(distinctSources))%560)
	return fmt.Sprintf("/img/%s/_.jpg?w=%d", src, width), width
}

// checkJPEG decodes a variant whole: a render from a truncated original
// would not.
func (r *faultRig) checkJPEG(path string, body []byte, width int) {
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		r.violate("GET %s: 200 with a broken JPEG: %v", path, err)
		return
	}
	if got := img.Bounds().Dx(); got != width {
		r.violate("GET %s: 200 with a %d px wide image", path, got)
	}
}

// writer alternates inventory and rules PUTs, one at a time, so that each
// answer can be checked against versitygw before the next write.
func (r *faultRig) writer(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		if i%2 == 0 {
			r.putInventory()
		} else {
			r.putRules()
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func inventoryItems(seq int64) map[string]int {
	return map[string]int{"amber-oud-50ml": int(seq % 7), "label-mug": int(seq % 5), "label-tote": 3}
}

// putInventory PUTs the next snapshot of faultHub and returns whether it
// answered 2xx (and was then found in versitygw).
func (r *faultRig) putInventory() bool {
	seq := r.seq.Add(1)
	items, _ := json.Marshal(inventoryItems(seq))
	body := fmt.Sprintf(`{"seq": %d, "as_of": %q, "items": %s}`, seq, time.Now().UTC().Format(time.RFC3339), items)
	what := fmt.Sprintf("PUT inventory seq %d", seq)
	sent := r.currentPhase()
	status, header, resp, took, err := r.do(http.MethodPut, "/admin/inventory/"+faultHub, "application/json", body)
	o := faultOutcome{op: "inventory", sent: sent, settled: r.currentPhase(), status: status, took: took}
	defer func() { r.record(o) }()
	switch {
	case err != nil:
		r.violate("%s: %v after %s", what, err, took)
		return false
	case status != http.StatusOK:
		o.code = r.failure(what, status, header, resp)
		return false
	}
	// Answered 2xx: versitygw must hold exactly this snapshot now (no one
	// else writes it).
	snap, err := r.storedSnapshot()
	switch {
	case err != nil:
		r.violate("%s: answered 200, then reading it from versitygw: %v", what, err)
	case snap.Seq != seq || !maps.Equal(snap.Items, inventoryItems(seq)):
		r.violate("%s: answered 200, but versitygw holds seq %d %v", what, snap.Seq, snap.Items)
	default:
		r.mu.Lock()
		r.lastOK = seq
		r.mu.Unlock()
		return true
	}
	return false
}

func (r *faultRig) storedSnapshot() (*routing.Snapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	obj, err := r.direct.Get(ctx, routing.InventoryKey(faultHub), store.GetOptions{})
	if err != nil {
		return nil, err
	}
	return routing.ParseSnapshot(obj.Data)
}

// faultRules is the demo rules file under another version name.
func faultRules(t testing.TB, n int64) string {
	return strings.Replace(origintest.ReadDemo(t, routing.ActiveKey), `version: "`+origintest.DemoRulesVersion+`"`, fmt.Sprintf(`version: "fault-%d"`, n), 1)
}

// putRules PUTs a new rules version and returns whether it answered 2xx
// (and was then found in versitygw as the version it named and as the
// active rules).
func (r *faultRig) putRules() bool {
	n := r.rulesN.Add(1)
	body := faultRules(r.t, n)
	what := fmt.Sprintf("PUT rules fault-%d", n)
	sent := r.currentPhase()
	status, header, resp, took, err := r.do(http.MethodPut, "/admin/rules", "application/yaml", body)
	o := faultOutcome{op: "rules", sent: sent, settled: r.currentPhase(), status: status, took: took}
	defer func() { r.record(o) }()
	switch {
	case err != nil:
		r.violate("%s: %v after %s", what, err, took)
		return false
	case status != http.StatusOK:
		o.code = r.failure(what, status, header, resp)
		return false
	}
	var ch rulestore.RulesChange
	if err := json.Unmarshal(resp, &ch); err != nil || !ch.Activated || ch.Key == "" {
		r.violate("%s: answered 200 with %s", what, resp)
		return false
	}
	ok := true
	for _, key := range []string{ch.Key, routing.ActiveKey} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		obj, err := r.direct.Get(ctx, key, store.GetOptions{})
		cancel()
		switch {
		case err != nil:
			r.violate("%s: answered 200, then reading %s from versitygw: %v", what, key, err)
			ok = false
		case string(obj.Data) != body:
			r.violate("%s: answered 200, but versitygw's %s holds %q", what, key, declaredRulesVersion(obj.Data))
			ok = false
		}
	}
	return ok
}

func declaredRulesVersion(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "version: "); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
