package variant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// countingStore counts reads of originals.
type countingStore struct {
	store.Blob
	originalGets atomic.Int64
	// beforeOriginal, when set, runs before each read of an original: a
	// slow store.
	beforeOriginal atomic.Pointer[func()]
}

func (c *countingStore) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if strings.HasPrefix(key, "originals/") && !strings.HasSuffix(key, ".yaml") {
		c.originalGets.Add(1)
		if f := c.beforeOriginal.Load(); f != nil {
			(*f)()
		}
	}
	return c.Blob.Get(ctx, key, opts)
}

// counter is a counter's value in the harness' registry (label value "" for
// an unlabelled one).
func counter(t *testing.T, h *origintest.Harness, name, label string) int {
	t.Helper()
	mfs, err := h.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == label) {
				return int(m.GetCounter().GetValue())
			}
		}
	}
	return 0
}

// startPyramidOrigin starts an origin with the admin API on; a nil blob is
// a private copy of the demo store.
func startPyramidOrigin(t *testing.T, blob store.Blob) *origintest.Harness {
	t.Helper()
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	return origintest.Start(t, origintest.Options{Store: blob, Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Transform.QueueWait = 0 // the burst below must queue, not be refused
	}})
}

// TestPyramidOneDecodePerOriginal: 100 concurrent misses for 20 variants of
// one cold original read and decode it once; after a restart (empty memory,
// same store) a new variant of it decodes no original: its mezzanine comes
// from the store. A purge of the SKU drops the pyramid.
// It runs on the fs store and on S3 (versitygw), where pyramids/ is a
// prefix of the bucket like results/.
func TestPyramidOneDecodePerOriginal(t *testing.T) {
	t.Run("fs", func(t *testing.T) { checkPyramidLifecycle(t, origintest.DemoStore(t)) })
	t.Run("s3", func(t *testing.T) {
		srv := s3test.Start(t)
		s3store := srv.Store(t, "shop/")
		origintest.UploadDemo(t, s3store)
		checkPyramidLifecycle(t, s3store)
	})
}

func checkPyramidLifecycle(t *testing.T, base store.Blob) {
	blob := &countingStore{Blob: base}
	origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
	h := startPyramidOrigin(t, blob)
	// The burst is concurrent: the original's read waits until all 20
	// variants' misses are in flight, as behind a store slower than the
	// clients. Admission (PYRAMID_ADMIT) counts them, so the first read
	// builds the pyramid.
	const orig = "originals/amber-oud-50ml/front.jpg"
	slowStore := func() {
		for deadline := time.Now().Add(30 * time.Second); h.Server.Variants().MissesInFlight(orig) < 20; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("after 30 s only %d misses of %s in flight", h.Server.Variants().MissesInFlight(orig), orig)
				return
			}
		}
	}
	blob.beforeOriginal.Store(&slowStore)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := i % 20
			ext := []string{"jpg", "webp"}[v%2]
			resp, _ := h.Get(t, fmt.Sprintf("/img/amber-oud-50ml/front/_.%s?w=%d", ext, 200+20*(v/2)))
			if resp.StatusCode != 200 {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	blob.beforeOriginal.Store(nil)
	if failed.Load() > 0 {
		t.Fatalf("%d of 100 requests failed", failed.Load())
	}
	gets, builds := blob.originalGets.Load(), counter(t, h, "edgeshelf_pyramid_builds_total", "")
	fromOrig, fromPyr := counter(t, h, "edgeshelf_source_decodes_total", "original"), counter(t, h, "edgeshelf_source_decodes_total", "pyramid")
	t.Logf("100 misses, 20 variants: %d original GETs, %d builds, %d renders from the original, %d from the pyramid", gets, builds, fromOrig, fromPyr)
	if gets != 1 || builds != 1 || fromOrig != 0 || fromPyr != 20 {
		t.Errorf("want 1 GET, 1 build, 0 renders from the original and 20 from the pyramid")
	}
	h.Server.Variants().WaitPyramidUploads()
	stored, err := blob.List(context.Background(), "pyramids/amber-oud-50ml/front/")
	if err != nil || len(stored) != 3 { // manifest.json, 512.jpg, 1024.jpg
		t.Fatalf("pyramid in the store: %d objects, %v", len(stored), err)
	}

	restarted := startPyramidOrigin(t, blob)
	before := blob.originalGets.Load()
	if resp, _ := restarted.Get(t, "/img/amber-oud-50ml/front/_.jpg?w=310"); resp.StatusCode != 200 {
		t.Fatalf("after restart: status %d", resp.StatusCode)
	}
	if got := blob.originalGets.Load() - before; got != 0 || counter(t, restarted, "edgeshelf_pyramid_builds_total", "") != 0 ||
		counter(t, restarted, "edgeshelf_pyramid_hits_total", "store") != 1 {
		t.Errorf("after restart: %d original GETs, %d builds, %d store hits; want 0, 0, 1", got,
			counter(t, restarted, "edgeshelf_pyramid_builds_total", ""), counter(t, restarted, "edgeshelf_pyramid_hits_total", "store"))
	}

	if resp, body := restarted.AdminDo(t, "POST", "/admin/purge", `{"sku":"amber-oud-50ml"}`); resp.StatusCode != 200 {
		t.Fatalf("purge: %d %s", resp.StatusCode, body)
	}
	if left, _ := blob.List(context.Background(), "pyramids/amber-oud-50ml/"); len(left) != 0 {
		t.Errorf("purge left %d pyramid objects", len(left))
	}
	if restarted.Server.Variants().PyramidBytes() != 0 {
		t.Errorf("purge left %d bytes of levels in memory", restarted.Server.Variants().PyramidBytes())
	}
}

// TestPyramidPNGOriginal: a PNG original (no shrink-on-load) gets a
// pyramid on its second miss, which its small variants render from; an
// AVIF one (without a thumbnail item) on its first (transform.BuildsAtOnce).
func TestPyramidPNGOriginal(t *testing.T) {
	for format, fromPyramid := range map[string]int{"png": 2, "avif": 3} {
		t.Run(format, func(t *testing.T) {
			blob := origintest.DemoStore(t)
			origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
			putOriginal(t, blob, "label-mug", reencodeOriginal(t, blob, "label-mug", format))
			h := startPyramidOrigin(t, blob)
			for _, w := range []int{240, 320, 280} {
				if resp, _ := h.Get(t, fmt.Sprintf("/img/label-mug/front/_.jpg?w=%d", w)); resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
			}
			// The PNG's first miss is alone: admission renders it from the original.
			if b, p := counter(t, h, "edgeshelf_pyramid_builds_total", ""), counter(t, h, "edgeshelf_source_decodes_total", "pyramid"); b != 1 || p != fromPyramid {
				t.Errorf("%s original: %d builds, %d renders from the pyramid; want 1, %d", format, b, p, fromPyramid)
			}
		})
	}
}

// reencodeOriginal is a SKU's front original in the store re-encoded as a
// PNG or an AVIF.
func reencodeOriginal(t *testing.T, blob store.Blob, sku, format string) []byte {
	t.Helper()
	obj, err := blob.Get(context.Background(), "originals/"+sku+"/front.jpg", store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := vips.LoadImageFromBuffer(obj.Data, vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	var out []byte
	if format == "avif" {
		out, _, err = img.ExportAvif(vips.NewAvifExportParams())
	} else {
		out, _, err = img.ExportPng(&vips.PngExportParams{Compression: 1})
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPyramidWarm: /admin/warm renders a hub's image set through the same
// misses, so 24 variants of three 2400 px originals cost one read and one
// decode per original.
func TestPyramidWarm(t *testing.T) {
	blob := &countingStore{Blob: origintest.DemoStore(t)}
	origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
	h := startPyramidOrigin(t, blob)
	resp, body := h.AdminDo(t, "POST", "/admin/warm",
		`{"hub":"eu-waw","skus":["amber-oud-50ml"],"locales":["en-US","de-DE"],"presets":["thumb","card"],"formats":["webp","jpg"]}`)
	if resp.StatusCode != 202 {
		t.Fatalf("warm: %d %s", resp.StatusCode, body)
	}
	var job admin.WarmJob
	if err := json.Unmarshal(body, &job); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); job.State != "done"; {
		if time.Now().After(deadline) {
			t.Fatalf("warm still running: %+v", job)
		}
		time.Sleep(100 * time.Millisecond)
		_, body = h.AdminDo(t, "GET", "/admin/warm/"+job.ID, "")
		if err := json.Unmarshal(body, &job); err != nil {
			t.Fatal(err)
		}
	}
	gets, builds := blob.originalGets.Load(), counter(t, h, "edgeshelf_pyramid_builds_total", "")
	fromOrig, fromPyr := counter(t, h, "edgeshelf_source_decodes_total", "original"), counter(t, h, "edgeshelf_source_decodes_total", "pyramid")
	t.Logf("warm of %d variants: %d original GETs, %d builds, %d renders from originals, %d from pyramids", job.Total, gets, builds, fromOrig, fromPyr)
	if job.Failed != 0 || gets != 3 || builds != 3 || fromOrig != 0 || fromPyr != int(job.Rendered) {
		t.Errorf("job %+v: want 3 GETs, 3 builds, every render from a pyramid", job)
	}
}

// TestPyramidSwatchCalibration: the swatch rect is in fractions of the
// upright image, so calibration and QA find the same patch on a mezzanine:
// variants of the swatch views (a hub photo with a cast, a 1200 px
// original's 512 level, a warm locale included; PYRAMID_ADMIT 1, so the
// first miss of each original renders from its pyramid too) measure
// within ΔE2000 0.3 of the same variants rendered from their originals.
func TestPyramidSwatchCalibration(t *testing.T) {
	with := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Transform.PyramidAdmit = 1 }})
	without := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Transform.PyramidMinRatio = 0 }})
	for _, path := range []string{
		"/img/amber-oud-50ml/front/card.jpg", "/img/amber-oud-50ml/front/thumb.webp?hub=eu-waw",
		"/img/amber-oud-50ml/front/card.webp?locale=de-AT&hub=eu-waw", "/img/label-hoodie/front/thumb.jpg",
	} {
		a, _ := with.Get(t, path)
		b, _ := without.Get(t, path)
		da, errA := strconv.ParseFloat(a.Header.Get("X-Colour-DeltaE"), 64)
		db, errB := strconv.ParseFloat(b.Header.Get("X-Colour-DeltaE"), 64)
		if errA != nil || errB != nil {
			t.Fatalf("%s: X-Colour-DeltaE %q and %q", path, a.Header.Get("X-Colour-DeltaE"), b.Header.Get("X-Colour-DeltaE"))
		}
		t.Logf("%-52s swatch ΔE2000 %.2f from the pyramid, %.2f from the original", path, da, db)
		if math.Abs(da-db) > 0.3 {
			t.Errorf("%s: swatch ΔE2000 %.2f from the pyramid, %.2f from the original", path, da, db)
		}
	}
	if counter(t, with, "edgeshelf_source_decodes_total", "pyramid") == 0 {
		t.Error("no variant came from a pyramid")
	}
}

// TestPyramidNotStoredWithoutL2: with the results tier off, pyramids stay
// in memory: variants still render from one (built by the first miss,
// PYRAMID_ADMIT 1), and nothing is written under
// pyramids/ in the store.
func TestPyramidNotStoredWithoutL2(t *testing.T) {
	blob := origintest.DemoStore(t)
	origintest.FreshInventory(t, blob, time.Now().Add(-10*time.Second))
	h := origintest.Start(t, origintest.Options{Store: blob, NoL2: true, Configure: func(c *config.Config) { c.Transform.PyramidAdmit = 1 }})
	for _, w := range []int{240, 320} {
		if resp, _ := h.Get(t, fmt.Sprintf("/img/label-mug/front/_.jpg?w=%d", w)); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	h.Server.Variants().WaitPyramidUploads()
	if b, p := counter(t, h, "edgeshelf_pyramid_builds_total", ""), counter(t, h, "edgeshelf_source_decodes_total", "pyramid"); b != 1 || p != 2 {
		t.Errorf("%d builds, %d renders from the pyramid; want 1, 2", b, p)
	}
	infos, err := blob.List(context.Background(), variant.PyramidPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 0 {
		t.Errorf("L2 off, yet %d objects under %s, e.g. %s", len(infos), variant.PyramidPrefix, infos[0].Key)
	}
}
