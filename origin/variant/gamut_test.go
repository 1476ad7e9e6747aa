package variant_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

const gamutHeader = "X-Colour-Gamut"

// results counts the rendered variants in the L2 tier (results/ in the
// store).
func results(t *testing.T, blob store.Blob) int {
	t.Helper()
	infos, err := blob.List(context.Background(), "results/")
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}

func measurements(t *testing.T, h *origintest.Harness, outcome string) int {
	t.Helper()
	mfs, err := h.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "edgeshelf_gamut_measurements_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == outcome {
				return int(m.GetCounter().GetValue())
			}
		}
	}
	return 0
}

// putOriginal replaces a view's photo in the store with a made-up one.
func putOriginal(t *testing.T, blob store.Blob, sku string, src []byte) {
	t.Helper()
	ctx := context.Background()
	if err := blob.Delete(ctx, "originals/"+sku+"/front.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Put(ctx, "originals/"+sku+"/front.png", src, store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func iccOf(t *testing.T, h *origintest.Harness, body []byte) string {
	t.Helper()
	info, err := transform.Inspect(body, h.Config.Transform)
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := colour.ProfileDescription(info.ICCProfile)
	return desc
}

// TestGamutSharesSRGBVariant: a photo with no colour outside sRGB, asked
// for by a P3 locale (ja-JP, p3-neutral) and by an sRGB one (en-US,
// srgb-neutral), is rendered once into one cache entry and served as the
// same bytes, with X-Colour-Gamut: srgb-shared for the P3 locale. The
// untagged photo is decided from its header, the Adobe RGB one measured.
func TestGamutSharesSRGBVariant(t *testing.T) {
	blob := origintest.DemoStore(t)
	h := origintest.Start(t, origintest.Options{Store: blob})
	for _, path := range []string{"/img/label-mug/front/card.webp", "/img/vetiver-noir-50ml/front/card.webp"} {
		renders, stored := h.Renders.Load(), results(t, blob)
		ja, jaBody := h.Get(t, path+"?locale=ja-JP")
		en, enBody := h.Get(t, path+"?locale=en-US")
		if ja.StatusCode != http.StatusOK || en.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, %d", path, ja.StatusCode, en.StatusCode)
		}
		h.Cache.Wait()
		if string(jaBody) != string(enBody) || ja.Header.Get("ETag") != en.Header.Get("ETag") {
			t.Errorf("%s: ja-JP and en-US got different variants", path)
		}
		if got := h.Renders.Load() - renders; got != 1 {
			t.Errorf("%s: %d renders, want 1", path, got)
		}
		if got := results(t, blob) - stored; got != 1 {
			t.Errorf("%s: %d new cache entries, want 1", path, got)
		}
		if ja.Header.Get(gamutHeader) != "srgb-shared" || en.Header.Get(gamutHeader) != "" {
			t.Errorf("%s: %s %q for ja-JP, %q for en-US; want srgb-shared and none", path, gamutHeader, ja.Header.Get(gamutHeader), en.Header.Get(gamutHeader))
		}
		if icc := iccOf(t, h, jaBody); icc != "sRGB (edgeshelf compact)" {
			t.Errorf("%s: ja-JP variant embeds %q", path, icc)
		}
	}
	if measurements(t, h, "header") != 1 || measurements(t, h, "srgb") != 1 {
		t.Errorf("measurements: %d from the header, %d decoded; want 1 each", measurements(t, h, "header"), measurements(t, h, "srgb"))
	}
}

// TestGamutThresholdEndToEnd: two Display P3 photos differing by one pixel
// of P3 red sit either side of GAMUT_MIN_SHARE (0.1 % of 10,000 pixels):
// the one at the threshold shares the sRGB variant, the one past it gets
// its own P3 variant, under a key of its own, embedding Display P3.
func TestGamutThresholdEndToEnd(t *testing.T) {
	blob := origintest.DemoStore(t)
	for sku, outside := range map[string]int{"label-tote": 10, "label-cap": 11} {
		src, err := transform.WideGamutSource(100, 100, outside)
		if err != nil {
			t.Fatal(err)
		}
		putOriginal(t, blob, sku, src)
	}
	h := origintest.Start(t, origintest.Options{Store: blob})
	for sku, want := range map[string]string{"label-tote": "srgb-shared", "label-cap": "p3"} {
		path := "/img/" + sku + "/front/card.png"
		renders := h.Renders.Load()
		ja, jaBody := h.Get(t, path+"?locale=ja-JP")
		en, enBody := h.Get(t, path+"?locale=en-US")
		if ja.StatusCode != http.StatusOK || en.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, %d", path, ja.StatusCode, en.StatusCode)
		}
		if got := ja.Header.Get(gamutHeader); got != want {
			t.Errorf("%s: %s %q, want %q", sku, gamutHeader, got, want)
		}
		wantICC, wantRenders, same := "sRGB (edgeshelf compact)", int64(1), true
		if want == "p3" {
			wantICC, wantRenders, same = "Display P3 (edgeshelf compact)", 2, false
		}
		if icc := iccOf(t, h, jaBody); icc != wantICC {
			t.Errorf("%s: ja-JP variant embeds %q, want %q", sku, icc, wantICC)
		}
		if got := h.Renders.Load() - renders; got != wantRenders {
			t.Errorf("%s: %d renders, want %d", sku, got, wantRenders)
		}
		if (string(jaBody) == string(enBody)) != same || (ja.Header.Get("ETag") == en.Header.Get("ETag")) != same {
			t.Errorf("%s: ja-JP and en-US share the variant = %v, want %v", sku, !same, same)
		}
	}
}

// TestGamutMeasuredOnce: concurrent P3 requests for different variants of
// one original measure it once. Renders wait for a slot rather than being
// shed (two cores, six renders at once).
func TestGamutMeasuredOnce(t *testing.T) {
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Transform.QueueWait = 0 }})
	var wg sync.WaitGroup
	for _, v := range []string{"card.webp", "card.jpg", "thumb.webp", "thumb.jpg", "pdp.webp", "card.avif"} {
		wg.Go(func() {
			resp, body := h.Get(t, "/img/vetiver-noir-50ml/front/"+v+"?locale=ja-JP")
			if resp.StatusCode != http.StatusOK || resp.Header.Get(gamutHeader) != "srgb-shared" {
				t.Errorf("%s: %d %q %s", v, resp.StatusCode, resp.Header.Get(gamutHeader), strings.TrimSpace(string(body[:min(len(body), 200)])))
			}
		})
	}
	wg.Wait()
	if n := measurements(t, h, "srgb"); n != 1 {
		t.Errorf("%d measurements of one original, want 1", n)
	}
}

// TestGamutSharedKeyDescribed: the console names a shared sRGB entry with
// the P3 locales whose photos were decided to share it.
func TestGamutSharedKeyDescribed(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) { c.Origin.AdminTokenFile = tokens }})
	h.Get(t, "/img/label-mug/front/thumb.webp?locale=ja-JP")
	h.Get(t, "/img/label-mug/front/thumb.webp?locale=en-US")
	h.Cache.Wait()
	resp, body := h.AdminDo(t, http.MethodGet, "/admin/console/cache", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var out struct {
		Variants map[string]variant.KeyVariant
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Variants) != 1 {
		t.Fatalf("%d keys described, want the one shared entry: %+v", len(out.Variants), out.Variants)
	}
	for key, v := range out.Variants {
		if got := strings.Join(v.Locales, ","); got != "en-GB,en-US,ja-JP,pl-PL" {
			t.Errorf("%s is described for %s, want the srgb-neutral locales and ja-JP", key, got)
		}
	}
}
