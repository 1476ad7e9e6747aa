package images_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
	"github.com/edgeshelf/edgeshelf/transform"
)

// benchSKUs distinct SKUs share one 6 MP photo, so concurrent requests never
// coalesce into one render.
const benchSKUs = 32

// sixMPStore is a store of benchSKUs SKUs whose front view is a 3000×2000
// baseline sRGB JPEG at q90.
func sixMPStore(b *testing.B) *storefs.Store {
	b.Helper()
	src, err := os.ReadFile(filepath.Join(origintest.DemoDir(), "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	img, err := vips.NewImageFromBuffer(src)
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(2.5, vips.KernelLanczos3); err != nil {
		b.Fatal(err)
	}
	if err := img.ExtractArea(0, 500, 3000, 2000); err != nil {
		b.Fatal(err)
	}
	p := vips.NewJpegExportParams()
	p.Quality, p.StripMetadata, p.Interlace = 90, true, false
	photo, _, err := img.ExportJpeg(p)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var cat strings.Builder
	cat.WriteString("skus:\n")
	for i := range benchSKUs {
		id := fmt.Sprintf("photo-%02d", i)
		cat.WriteString("  - {id: " + id + ", views: [front]}\n")
		if err := os.MkdirAll(filepath.Join(dir, "originals", id), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "originals", id, "front.jpg"), photo, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cat.WriteString("presets:\n  - {name: w400, width: 400, quality: 80}\n")
	if err := os.WriteFile(filepath.Join(dir, "catalog.yaml"), []byte(cat.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	s, err := storefs.New(dir)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkHTTPRender measures end-to-end renders per second through HTTP
// on loopback with no cache tiers: a 6 MP sRGB JPEG to 400 px at q80, every
// request a render. Beside each format runs the baseline, in the same run:
// a bare fiber handler that reads the same file and makes the same variant
// with the fewest govips calls (libvips' thumbnail, then the encoder with
// the pipeline's settings). Clients and server share the machine's cores.
//
// Reported: renders/s, and cpu-ms/render, the process's CPU time (user +
// system, clients included) per render. The second is what to compare on a
// machine other work is loading: 2000 / cpu-ms/render is the rate two
// dedicated cores would sustain.
func BenchmarkHTTPRender(b *testing.B) {
	store := sixMPStore(b)
	h := origintest.Start(b, origintest.Options{Store: store, NoL1: true, NoL2: true,
		Configure: func(c *config.Config) { c.Transform.Queue = 1024 }})
	baseline := startGovipsBaseline(b, store.Dir(), h.Config.Transform)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, ext := range []string{"jpg", "webp", "avif"} {
		for _, server := range []struct{ name, url string }{{"origin", h.URL}, {"govips", baseline}} {
			b.Run(ext+"/"+server.name, func(b *testing.B) {
				var n atomic.Int64
				cpu := cpuTime(b)
				b.SetParallelism(2) // 2 × GOMAXPROCS clients keep every render slot busy
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						resp, err := client.Get(fmt.Sprintf("%s/img/photo-%02d/front/w400.%s", server.url, i%benchSKUs, ext))
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "renders/s")
				b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/render")
			})
		}
	}
}

// startGovipsBaseline serves /img/{sku}/front/w400.{ext} from the bench
// store's originals with direct govips calls, the way a minimal image
// server would: read the file, thumbnail it, encode it with the pipeline's
// settings for the bench preset (q80), send it.
func startGovipsBaseline(b *testing.B, dir string, cfg transform.Config) string {
	b.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/img/:sku/front/:file", func(c *fiber.Ctx) error {
		src, err := os.ReadFile(filepath.Join(dir, "originals", filepath.Base(c.Params("sku")), "front.jpg"))
		if err != nil {
			return err
		}
		img, err := vips.LoadThumbnailFromBuffer(src, 400, 10_000_000, vips.InterestingNone, vips.SizeDown, vips.NewImportParams())
		if err != nil {
			return err
		}
		defer img.Close()
		var (
			out  []byte
			mime string
		)
		switch filepath.Ext(c.Params("file")) {
		case ".jpg":
			p := vips.NewJpegExportParams()
			p.StripMetadata, p.Quality, p.OptimizeCoding = true, 80, true
			out, _, err = img.ExportJpeg(p)
			mime = "image/jpeg"
		case ".webp":
			p := vips.NewWebpExportParams()
			p.StripMetadata, p.Quality, p.ReductionEffort = true, 80, cfg.WebPEffort
			out, _, err = img.ExportWebp(p)
			mime = "image/webp"
		case ".avif":
			p := vips.NewAvifExportParams()
			p.StripMetadata, p.Quality, p.Effort = true, 80, 9-cfg.AVIFSpeed
			out, _, err = img.ExportAvif(p)
			mime = "image/avif"
		default:
			return fiber.ErrNotFound
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, mime)
		return c.Send(out)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// cpuTime is the CPU time (user + system) the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkL1Hit compares an L1 hit through the whole stack (routing,
// catalog lookup, cache key, headers) with a bare fiber handler sending the
// same bytes: the ratio of their requests/s is the origin's overhead.
func BenchmarkL1Hit(b *testing.B) {
	h := origintest.Start(b, origintest.Options{})
	const path = "/img/label-mug/front/card.webp"
	resp, body := h.Get(b, path)
	if resp.StatusCode != 200 {
		b.Fatal(resp.StatusCode)
	}
	for name, base := range map[string]string{"origin": h.URL, "bare-fiber": bareFiber(b, body)} {
		b.Run(name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			// Idle keep-alive connections would outlive the servers'
			// shutdown and fail the goroutine-leak check.
			defer client.CloseIdleConnections()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(base + path)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkL2HitVsRender compares serving a variant from the L2 tier on a
// real S3 server (versitygw on loopback) with rendering it, both with no L1.
func BenchmarkL2HitVsRender(b *testing.B) {
	srv := s3test.Start(b)
	s3store := srv.Store(b, "bench/")
	origintest.UploadDemo(b, s3store)
	const path = "/img/label-hoodie/front/card.webp"
	for _, c := range []struct {
		name string
		noL2 bool
	}{{"l2-hit", false}, {"render", true}} {
		b.Run(c.name, func(b *testing.B) {
			h := origintest.Start(b, origintest.Options{Store: s3store, NoL1: true, NoL2: c.noL2})
			h.Get(b, path) // fill L2 (a no-op for the render case)
			h.Cache.Wait()
			for b.Loop() {
				resp, _ := h.Get(b, path)
				want := "tier;desc=l2"
				if c.noL2 {
					want = "tier;desc=render"
				}
				if !strings.HasPrefix(resp.Header.Get("Server-Timing"), want) {
					b.Fatalf("Server-Timing %q, want %s", resp.Header.Get("Server-Timing"), want)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkMemoryBudget renders distinct large variants well past a 64 MiB
// L1 budget and reports the process's peak RSS, which must stay within the
// budget + 300 MiB.
func BenchmarkMemoryBudget(b *testing.B) {
	const budget = 64 << 20
	h := origintest.Start(b, origintest.Options{NoL2: true, Configure: func(c *config.Config) { c.Cache.L1Bytes = budget }})
	n := 0
	for b.Loop() {
		for range 40 { // 40 lossless 1200 px variants (~1 MB each) per iteration
			n++
			sku := []string{"label-hoodie", "label-polo", "label-tee", "label-mug"}[n%4]
			resp, _ := h.Get(b, fmt.Sprintf("/img/%s/front/_.png?w=%d", sku, 1200-n))
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	if h.Memory.Bytes() > budget {
		b.Fatalf("L1 holds %d bytes, budget %d", h.Memory.Bytes(), budget)
	}
	rss := peakRSS(b)
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(h.Memory.Bytes())/(1<<20), "l1-MiB")
	if rss > budget+300<<20 {
		b.Fatalf("peak RSS %d MiB over budget + 300 MiB", rss>>20)
	}
}

// peakRSS reads VmHWM, the process's peak resident set, from /proc.
func peakRSS(tb testing.TB) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/self/status")
	return 0
}
