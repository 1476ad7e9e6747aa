package peers_test

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/bench/peers"
)

// sharedDir holds the originals the package's tests share; TestMain
// removes it.
var sharedDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		_ = os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// sharedOriginals are two originals made once for the package's tests.
var sharedOriginals = sync.OnceValues(func() (*peers.Originals, error) {
	dir, err := os.MkdirTemp("", "edgeshelf-peers-test-")
	if err != nil {
		return nil, err
	}
	sharedDir = dir
	// Small originals keep the run short; the fit-inside presets above
	// their width come back at the source's width on both servers.
	return peers.GenerateSized(dir, filepath.Join("..", "..", "demo"), 2, image.Pt(900, 600))
})

func originals(t *testing.T) *peers.Originals {
	t.Helper()
	o, err := sharedOriginals()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// edgeshelfBin builds the server (or takes EDGESHELF_BIN).
func edgeshelfBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("EDGESHELF_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "edgeshelf")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/edgeshelf")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building edgeshelf: %v\n%s", err, out)
	}
	return bin
}

// imgproxyBin is IMGPROXY_BIN, or the peer build script's usual output.
func imgproxyBin(t *testing.T) string {
	t.Helper()
	for _, bin := range []string{os.Getenv("IMGPROXY_BIN"), "/tmp/peers/imgproxy"} {
		if bin == "" {
			continue
		}
		if st, err := os.Stat(bin); err == nil && !st.IsDir() {
			return bin
		}
	}
	t.Skip("no imgproxy: set IMGPROXY_BIN (build one with ../shared/peers/build-imgproxy.sh OUT_DIR, or make bench-peers)")
	return ""
}

// Every response is checked: edgeshelf's real variants pass (with the ICC
// profile it embeds counted), and a server answering with another size
// than asked counts as failed, never as a fast render.
func TestResponsesAreChecked(t *testing.T) {
	o := originals(t)
	ctx := context.Background()
	srv, err := peers.StartServer(ctx, peers.Edgeshelf(edgeshelfBin(t)), o, filepath.Join(t.TempDir(), "edgeshelf.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	client := harness.NewClient(2)
	for _, f := range peers.Formats {
		variants := []peers.Variant{o.Variant(o.SKUs[0], f, nil), o.Variant(o.SKUs[1], f, &peers.Presets[0]), o.Variant(o.SKUs[1], f, &peers.Presets[3])}
		load := peers.Load{Variants: variants, Concurrency: 2}
		m, err := load.Run(ctx, srv, client)
		if err != nil || m.OK != 3 || m.Failed != 0 || m.NotRendered != 0 {
			t.Fatalf("%s: %v, ok %d failed %d not rendered %d: %v", f, err, m.OK, m.Failed, m.NotRendered, m.Problems)
		}
		// Run with --srgb-profile omit, as imgproxy strips profiles: no
		// variant may carry one, or the bytes compared would differ.
		if m.ICCBytes != 0 {
			t.Errorf("%s: edgeshelf embedded %d bytes of ICC profile; the comparison runs both untagged", f, m.ICCBytes)
		}
		if m.CPU <= 0 {
			t.Errorf("%s: no server CPU time measured for two renders", f)
		}
	}
	// The same server asked for 300 px wide but checked against 400.
	srv.Side.URL = func(v peers.Variant) string {
		return fmt.Sprintf("/img/%s/front/_.%s?w=300&q=80", v.SKU, v.Format)
	}
	m, err := peers.Load{Variants: []peers.Variant{o.Variant(o.SKUs[0], "webp", nil)}, Concurrency: 1}.Run(ctx, srv, client)
	if err != nil || m.OK != 0 || m.Failed != 1 {
		t.Fatalf("wrong-size response: ok %d failed %d (%v)", m.OK, m.Failed, err)
	}
	// One variant on two connections: identical requests in flight together
	// (which one render may answer) are counted.
	m, err = peers.Load{Variants: []peers.Variant{o.Variant(o.SKUs[0], "webp", nil)}, Concurrency: 2, Duration: 300 * time.Millisecond}.Run(ctx, srv, client)
	if err != nil || m.Duplicates == 0 {
		t.Fatalf("duplicates in flight not counted: %d (%v)", m.Duplicates, err)
	}
}

// A tiny run of all three workloads side by side: every row present,
// every response right, throughput and CPU measured on both sides.
func TestSideBySide(t *testing.T) {
	ip := imgproxyBin(t)
	o := peers.Options{
		Sides:     []peers.Side{peers.Edgeshelf(edgeshelfBin(t)), peers.Imgproxy(ip)},
		Originals: originals(t), Workloads: peers.Workloads, Formats: []string{"jpg", "avif"},
		Rounds: 1, Duration: 500 * time.Millisecond, Concurrency: 1, LogDir: t.TempDir(),
	}
	samples, err := peers.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	res := peers.NewResults(o, samples, map[string]string{"edgeshelf": "test", "imgproxy": "test"}, time.Now())
	if len(res.Rows) != 3*2 {
		t.Fatalf("%d rows, want 6:\n%s", len(res.Rows), res.Report())
	}
	for _, r := range res.Rows {
		for name, s := range r.Servers {
			if s.Failed != 0 || s.Requests == 0 || s.RPS <= 0 || s.CPUmsPerReq <= 0 || s.BytesPerRes <= 0 || s.NotRendered != 0 || s.Duplicates != 0 {
				t.Errorf("%s %s %s: %+v", r.Workload, r.Format, name, s)
			}
		}
	}
	if err := res.Write(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
