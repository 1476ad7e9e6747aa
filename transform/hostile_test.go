package transform_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Issue 10: a corpus of hostile sources. Every one must render to a valid
// image or fail with a typed 4xx *problem.Error — never a panic, a 5xx, a
// hang or a memory blow-up — and the renderer must keep working after it.
// The corpus is built deterministically (hostilecorpus_test.go): no files
// to keep in sync.

// hostileSpecs are the variants each source is rendered to: a preset-like
// width-only JPEG (the most common request) and a cover WebP with alpha.
var hostileSpecs = []transform.Spec{
	{Width: 400, Format: transform.JPEG},
	{Width: 200, Height: 200, Fit: transform.Cover, Format: transform.WebP},
}

// unboundedSpecs leave one axis free (and may enlarge): the output must
// still stay within the configured output limits.
var unboundedSpecs = []transform.Spec{
	{Width: 400, Format: transform.PNG},
	{Width: 400, Format: transform.AVIF},
	{Height: 400, Format: transform.PNG},
	{Width: 4096, Enlarge: true, Format: transform.JPEG},
	{Width: 4096, Enlarge: true, Format: transform.PNG},
	{Height: 4096, Enlarge: true, Format: transform.WebP},
	{Width: 4096, Height: 100, Fit: transform.Cover, Gravity: "north", Enlarge: true, Format: transform.JPEG},
}

// renderHostile renders one case and checks the outcome contract; it
// returns a line describing what happened.
func renderHostile(t testing.TB, r *transform.Renderer, c hostileCase, spec transform.Spec) string {
	t.Helper()
	label := fmt.Sprintf("%s %s w=%d h=%d", c.name, spec.Format, spec.Width, spec.Height)
	if spec.Fit != "" {
		label += " fit=" + string(spec.Fit)
	}
	if spec.Enlarge {
		label += " enlarge"
	}
	start := time.Now()
	var res *transform.Result
	var err error
	func() {
		defer func() {
			if rec := recover(); rec != nil {
				err = fmt.Errorf("panic: %v", rec)
			}
		}()
		res, err = r.Render(context.Background(), transform.Request{Source: c.src, Spec: spec})
	}()
	took := time.Since(start)
	if took > 10*time.Second {
		t.Errorf("%s: took %v, want < 10 s", label, took)
	}
	if err != nil {
		p, ok := problem.As(err)
		if !ok || p.Status < 400 || p.Status >= 500 {
			t.Errorf("%s: %v, want a valid image or a typed 4xx problem", label, err)
			return fmt.Sprintf("%s: ERROR %v (%v)", label, err, took)
		}
		if c.code != "" && p.Code != c.code {
			t.Errorf("%s: code %s, want %s (%v)", label, p.Code, c.code, err)
		}
		return fmt.Sprintf("%s: %d %s (%v)", label, p.Status, p.Code, took.Round(time.Millisecond))
	}
	if c.code != "" {
		t.Errorf("%s: rendered, want %s", label, c.code)
	}
	checkValidImage(t, label, res)
	if cfg := r.Config(); res.Width > cfg.MaxOutputWidth || res.Height > cfg.MaxOutputHeight {
		t.Errorf("%s: output %dx%d exceeds the %dx%d output limit", label, res.Width, res.Height, cfg.MaxOutputWidth, cfg.MaxOutputHeight)
	}
	return fmt.Sprintf("%s: ok %dx%d (%v)", label, res.Width, res.Height, took.Round(time.Millisecond))
}

// checkValidImage decodes a result again: a "success" must be a real image.
func checkValidImage(t testing.TB, name string, res *transform.Result) {
	t.Helper()
	if res == nil || len(res.Data) == 0 || res.Width <= 0 || res.Height <= 0 {
		t.Errorf("%s: empty result %+v", name, res)
		return
	}
	img, err := vips.NewImageFromBuffer(res.Data)
	if err != nil {
		t.Errorf("%s: the %s result does not decode: %v", name, res.Format, err)
		return
	}
	defer img.Close()
	if img.Width() != res.Width || img.Height() != res.Height {
		t.Errorf("%s: result says %dx%d, file is %dx%d", name, res.Width, res.Height, img.Width(), img.Height())
	}
}

// goodStillRenders checks the renderer is still healthy.
func goodStillRenders(t testing.TB, r *transform.Renderer, src []byte, after string) {
	t.Helper()
	res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 200, Format: transform.JPEG}})
	if err != nil {
		t.Fatalf("after %s a good photo fails: %v", after, err)
	}
	checkValidImage(t, "good photo after "+after, res)
}

// trapListener listens where the hostile SVGs point and counts
// connections. It takes 127.0.0.1:1 (what the attack names) when it can,
// else any free port, and returns the URL to put in the SVGs.
func trapListener(t *testing.T) (*atomic.Int64, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:1")
	if err != nil {
		t.Logf("cannot listen on 127.0.0.1:1 (%v); using a free port", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return &n, "http://" + ln.Addr().String() + "/x.png"
}

// The corpus runs in child processes of this test binary: the heavy cases
// so that their memory is measured alone, and the rest so that the
// hundreds of renders do not grow this process (a later child's ru_maxrss
// starts from its parent's high-water mark: Go's fork shares the parent's
// memory until exec, and Linux carries that mm's peak into the child's
// rusage). Each child reports its own peak (VmHWM of the exec'd image),
// which is what the limits below are checked against.

// childRun is one child's outcome.
type childRun struct {
	lines  string
	took   time.Duration
	vmHWM  int64 // KiB: the child's own peak RSS
	maxRSS int64 // KiB: rusage, includes the parent's peak at fork
}

func runHostileChild(t *testing.T, test string, env ...string) childRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), "EDGESHELF_HOSTILE_CHILD=1"), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	run := childRun{took: time.Since(start), maxRSS: cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}
	if err != nil {
		t.Fatalf("child %s: %v\n%s", test, err, out)
	}
	var b strings.Builder
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "hostile: "):
			b.WriteString(l + "\n")
		case strings.HasPrefix(l, "hostile-vmhwm-kib: "):
			fmt.Sscan(strings.TrimPrefix(l, "hostile-vmhwm-kib: "), &run.vmHWM)
		}
	}
	run.lines = b.String()
	if run.vmHWM == 0 {
		t.Fatalf("child %s did not report its peak RSS:\n%s", test, out)
	}
	return run
}

// reportPeakRSS prints this process's peak RSS (KiB) for the parent.
func reportPeakRSS(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			fmt.Println("hostile-vmhwm-kib: " + f[1])
			return
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
}

func isHostileChild() bool { return os.Getenv("EDGESHELF_HOSTILE_CHILD") != "" }

func checkChild(t *testing.T, name string, run childRun, cases int) {
	t.Helper()
	t.Logf("%s: %d cases in %v, peak RSS %.1f MiB (rusage incl. parent at fork: %.1f MiB)",
		name, cases, run.took.Round(time.Millisecond), float64(run.vmHWM)/1024, float64(run.maxRSS)/1024)
	if testing.Verbose() {
		t.Log("\n" + run.lines)
	}
	if run.vmHWM > 300*1024 {
		t.Errorf("%s: peak RSS %.1f MiB, want < 300 MiB", name, float64(run.vmHWM)/1024)
	}
}

// TestHostileCorpus renders the light corpus (broken, polyglot, odd) in a
// child; the SVG cases point at a listener here (as a real attack would
// point at an internal service) that no render may ever connect to.
func TestHostileCorpus(t *testing.T) {
	if isHostileChild() {
		t.Skip("runs in the child")
	}
	conns, href := trapListener(t)
	run := runHostileChild(t, "TestHostileCorpusChild", "EDGESHELF_HOSTILE_HREF="+href)
	checkChild(t, "corpus", run, len(hostileCorpus(t, href)))
	if n := conns.Load(); n != 0 {
		t.Errorf("the SVG's external image was fetched: %d connection(s) to %s", n, href)
	}
}

func TestHostileCorpusChild(t *testing.T) {
	if !isHostileChild() {
		t.Skip("run by TestHostileCorpus")
	}
	r, err := transform.New(defaultConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	good := hostileFormats(t)["jpeg"]
	var slowest time.Duration
	for _, c := range hostileCorpus(t, os.Getenv("EDGESHELF_HOSTILE_HREF")) {
		t.Run(c.name, func(t *testing.T) {
			for _, spec := range hostileSpecs {
				start := time.Now()
				fmt.Println("hostile: " + renderHostile(t, r, c, spec))
				slowest = max(slowest, time.Since(start))
			}
			goodStillRenders(t, r, good, c.name)
		})
	}
	goodStillRenders(t, r, demoOriginal(t, "label-mug/front.jpg"), "the corpus")
	fmt.Printf("hostile: slowest render %v\n", slowest)
	reportPeakRSS(t)
}

// TestHostileHeavy runs the bombs, strips and many-frames GIF in a child:
// each must be refused (or rendered within the output limits) in bounded
// time, and the child's peak RSS stay < 300 MiB.
func TestHostileHeavy(t *testing.T) {
	if isHostileChild() {
		t.Skip("runs in the child")
	}
	run := runHostileChild(t, "TestHostileHeavyChild")
	checkChild(t, "heavy", run, len(heavyCorpus(t)))
}

func TestHostileHeavyChild(t *testing.T) {
	if !isHostileChild() {
		t.Skip("run by TestHostileHeavy")
	}
	r, err := transform.New(defaultConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	good := demoOriginal(t, "label-mug/front.jpg")
	for _, c := range heavyCorpus(t) {
		for _, spec := range append(append([]transform.Spec(nil), hostileSpecs...), c.specs...) {
			fmt.Println("hostile: " + renderHostile(t, r, c, spec))
		}
		goodStillRenders(t, r, good, c.name)
	}
	reportPeakRSS(t)
}

// TestHostileOddColourSources: the odd colour sources that render must also
// render right, not merely "valid": the LAB TIFF comes back as the sRGB it
// was made from, and the 16-bit grey+alpha PNG keeps its alpha ramp (the
// 8.14 icc_transform trap would clip it).
func TestHostileOddColourSources(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	res, err := r.Render(context.Background(), transform.Request{Source: labTIFF(t), Spec: transform.Spec{Width: 64, Format: transform.PNG}})
	if err != nil {
		t.Fatal(err)
	}
	px, err := transform.Decode(res.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base := hostileBase()
	for _, p := range [][2]int{{0, 0}, {10, 10}, {32, 24}, {63, 47}} {
		r1, g1, b1 := px.At(p[0], p[1])
		want := base.NRGBAAt(p[0], p[1])
		if absDiff(r1, want.R) > 3 || absDiff(g1, want.G) > 3 || absDiff(b1, want.B) > 3 {
			t.Errorf("LAB TIFF at %v: %d,%d,%d, want %d,%d,%d", p, r1, g1, b1, want.R, want.G, want.B)
		}
	}
	res, err = r.Render(context.Background(), transform.Request{Source: grey16AlphaPNG(t), Spec: transform.Spec{Width: 32, Format: transform.PNG}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := vips.NewImageFromBuffer(res.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if !img.HasAlpha() {
		t.Fatalf("16-bit grey+alpha lost its alpha (%d bands)", img.Bands())
	}
	for _, y := range []int{0, 15, 31} {
		v, err := img.GetPoint(31, y)
		if err != nil {
			t.Fatal(err)
		}
		wantGrey, wantAlpha := float64(31*2000)/257, float64(65535-y*2000)/257
		if a := v[len(v)-1]; a < wantAlpha-2 || a > wantAlpha+2 {
			t.Errorf("row %d alpha %.0f, want %.0f", y, a, wantAlpha)
		}
		if v[0] < wantGrey-3 || v[0] > wantGrey+3 {
			t.Errorf("row %d grey %.0f, want %.0f", y, v[0], wantGrey)
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
