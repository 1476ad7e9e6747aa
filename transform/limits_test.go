package transform_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
)

// hugeJPEG is a real small JPEG whose frame header claims 10000×10000
// (100 MP): the header is all a decoder needs to size its buffers.
func hugeJPEG(t testing.TB) []byte {
	b := append([]byte(nil), demoOriginal(t, "label-mug/front.jpg")...)
	for i := 2; i+9 < len(b); {
		if b[i] != 0xFF {
			t.Fatal("malformed JPEG fixture")
		}
		marker, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:i+4]))
		if marker == 0xC0 || marker == 0xC2 { // SOF0 / SOF2
			binary.BigEndian.PutUint16(b[i+5:i+7], 10000) // height
			binary.BigEndian.PutUint16(b[i+7:i+9], 10000) // width
			return b
		}
		i += 2 + n
	}
	t.Fatal("no SOF marker")
	return nil
}

// bombPNG is an 8×8 PNG whose IHDR claims 20000×20000 (400 MP): a classic
// decompression bomb header.
func bombPNG(t testing.TB) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	img.Set(0, 0, color.NRGBA{R: 1, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR data starts at 16: width, height; its CRC covers type+data.
	binary.BigEndian.PutUint32(b[16:20], 20000)
	binary.BigEndian.PutUint32(b[20:24], 20000)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestHugeSourcesRefusedBeforeDecoding renders the huge sources in a child
// process and checks its peak RSS: the 422 must come from the header, before
// any pixel buffer is allocated (a 100 MP RGB buffer alone is 300 MB).
func TestHugeSourcesRefusedBeforeDecoding(t *testing.T) {
	if os.Getenv("EDGESHELF_HUGE_CHILD") != "" {
		t.Skip("runs in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeSourceChild$", "-test.v")
	cmd.Env = append(os.Environ(), "EDGESHELF_HUGE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"jpeg: image_too_large", "png: image_too_large"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
	// The child reports its own VmHWM: getrusage's Maxrss for a child can
	// include the parent's resident set inherited at fork.
	var rss int64
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "peak-kib: "); ok {
			rss, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	if rss == 0 {
		t.Fatalf("the child reported no peak RSS:\n%s", out)
	}
	t.Logf("child peak RSS %.1f MiB", float64(rss)/1024)
	if rss > 200*1024 {
		t.Errorf("peak RSS %.1f MiB, want < 200 MiB", float64(rss)/1024)
	}
}

func TestHugeSourceChild(t *testing.T) {
	if os.Getenv("EDGESHELF_HUGE_CHILD") == "" {
		t.Skip("run by TestHugeSourcesRefusedBeforeDecoding")
	}
	r, err := transform.New(defaultConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string][]byte{"jpeg": hugeJPEG(t), "png": bombPNG(t)} {
		_, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 400, Format: transform.JPEG}})
		p, ok := problem.As(err)
		if !ok || p.Status != 422 {
			t.Fatalf("%s: %v, want a 422", name, err)
		}
		fmt.Printf("%s: %s\n", name, p.Code)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Printf("peak-kib: %s\n", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
}

func TestSourceLimits(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.MaxSourceBytes = 1024
	r := newRenderer(t, cfg)
	for name, c := range map[string]struct {
		src  []byte
		code string
	}{
		"over the byte limit": {demoOriginal(t, "label-mug/front.jpg"), "image_too_large"},
		"empty":               {nil, "empty_source"},
		"zero bytes":          {[]byte{}, "empty_source"},
		"text":                {[]byte("GIF89a but not really"), "corrupt_source"},
	} {
		_, err := r.Render(context.Background(), transform.Request{Source: c.src, Spec: transform.Spec{Width: 10, Format: transform.PNG}})
		if p, ok := problem.As(err); !ok || p.Code != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
}

// TestRenderQueueBounded: beyond the running renders and the queue, a render
// is refused at once with 503 and Retry-After instead of piling up memory.
func TestRenderQueueBounded(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.Concurrency, cfg.Queue = 1, 1
	r := newRenderer(t, cfg)
	src := demoOriginal(t, "amber-oud-50ml/front.jpg")
	const n = 8
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			_, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 2400, Format: transform.AVIF}})
			errs <- err
		}()
	}
	close(start)
	var ok, busy int
	for range n {
		err := <-errs
		if err == nil {
			ok++
			continue
		}
		p, isProblem := problem.As(err)
		if !isProblem || p.Status != 503 || p.Code != "render_busy" || p.RetryAfter < 1 {
			t.Fatalf("unexpected error %v", err)
		}
		busy++
	}
	if ok < 1 || busy < 1 || ok > 2 {
		t.Fatalf("%d rendered, %d refused; want 1–2 rendered (one slot, one queued) and the rest refused", ok, busy)
	}
}
