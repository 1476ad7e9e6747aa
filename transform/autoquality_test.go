package transform_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/transform"
)

func renderAuto(tb testing.TB, r *transform.Renderer, src []byte, id string, spec transform.Spec, look transform.Look) *transform.Result {
	tb.Helper()
	res, err := r.Render(context.Background(), transform.Request{Source: src, SourceID: id, Spec: spec, Look: look})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func newRenderer(tb testing.TB, cfg transform.Config) *transform.Renderer {
	tb.Helper()
	r, err := transform.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// The thresholds decide: an unreachable score leaves the default (the
// ceiling), a lax one with no swatch goes down to the floor; PNG ignores
// q=auto; a fixed render reports its quality.
func TestAutoQualityBounds(t *testing.T) {
	src := demoOriginal(t, "label-tee/back.jpg")
	spec := transform.Spec{Width: 200, Format: transform.JPEG, AutoQuality: true}
	look := transform.Look{Space: transform.SRGB}
	strict := defaultConfig(t)
	strict.AutoQualityMinScore = 0.99999
	res := renderAuto(t, newRenderer(t, strict), src, "", spec, look)
	if res.Quality != strict.QualityJPEG || res.QualityLabel() != "82 (auto)" {
		t.Errorf("unreachable score: q %d (%q), want the default %d", res.Quality, res.QualityLabel(), strict.QualityJPEG)
	}
	if res.Auto.Encodes > strict.AutoQualityEncodes+1 {
		t.Errorf("%d encodes, want at most %d trials and the default", res.Auto.Encodes, strict.AutoQualityEncodes)
	}
	lax := defaultConfig(t)
	lax.AutoQualityMinScore = 0.5
	res = renderAuto(t, newRenderer(t, lax), src, "", spec, look)
	// 0.4 × 82; five halvings of 33..82 leave a bracket of two.
	if floor := 33; res.Quality < floor || res.Quality > floor+2 {
		t.Errorf("lax score: q %d, want the floor %d (+2)", res.Quality, floor)
	}
	fixed := renderAuto(t, newRenderer(t, lax), src, "", transform.Spec{Width: 200, Format: transform.JPEG}, look)
	if fixed.Auto != nil || fixed.QualityLabel() != "82" {
		t.Errorf("a fixed render reports %q (auto %v)", fixed.QualityLabel(), fixed.Auto)
	}
	png := renderAuto(t, newRenderer(t, lax), src, "", transform.Spec{Width: 200, Format: transform.PNG, AutoQuality: true}, look)
	if png.Auto != nil || png.QualityLabel() != "" {
		t.Errorf("PNG q=auto reports %q (auto %v)", png.QualityLabel(), png.Auto)
	}
}

// A q=auto choice is made once per original, geometry, format and look: a
// re-render encodes once and gives the same bytes; another format of the
// same variant starts from the first one's choice.
func TestAutoQualityCachedAndSeeded(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	src := demoOriginal(t, "label-hoodie/front.jpg")
	look := transform.Look{Space: transform.SRGB}
	id := "test/cached-" + time.Now().Format(time.RFC3339Nano)
	spec := transform.Spec{Width: 300, Format: transform.WebP, AutoQuality: true}
	first := renderAuto(t, r, src, id, spec, look)
	again := renderAuto(t, r, src, id, spec, look)
	if first.Auto.Cached || !again.Auto.Cached || again.Auto.Encodes != 1 {
		t.Errorf("first cached=%v, again cached=%v with %d encodes", first.Auto.Cached, again.Auto.Cached, again.Auto.Encodes)
	}
	if again.Quality != first.Quality || !bytes.Equal(again.Data, first.Data) {
		t.Errorf("re-render: q %d, %d B; first q %d, %d B", again.Quality, len(again.Data), first.Quality, len(first.Data))
	}
	spec.Format = transform.AVIF
	sibling := renderAuto(t, r, src, id, spec, look)
	if !sibling.Auto.Seeded || sibling.Auto.Cached {
		t.Errorf("AVIF after WebP: seeded=%v cached=%v", sibling.Auto.Seeded, sibling.Auto.Cached)
	}
	other := renderAuto(t, r, src, id, transform.Spec{Width: 300, Format: transform.WebP, AutoQuality: true},
		transform.Look{Space: transform.SRGB, Tone: transform.Tone{Temperature: 100}})
	if other.Auto.Cached {
		t.Error("a different look reused the choice")
	}
}

// TestAutoQualitySeedSavesEncodes measures whether seeding a second
// format's search from the first format's choice saves encodes, on the
// demo photos at card size: JPEG searched first, then WebP and AVIF. With
// AUTO_QUALITY_FULL=1, like TestAutoQualitySavings' full run.
func TestAutoQualitySeedSavesEncodes(t *testing.T) {
	if !autoFullRun() {
		t.Skip("a measurement (about 12 s, more under -race): AUTO_QUALITY_FULL=1")
	}
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	look := transform.Look{Space: transform.SRGB}
	files := []string{"label-tee/back.jpg", "label-hoodie/front.jpg", "label-mug/front.jpg", "label-tote/front.jpg", "amber-oud-50ml/side.jpg", "label-polo/back.jpg"}
	var seeded, cold, seededBytes, coldBytes int
	for i, f := range files {
		src := demoOriginal(t, f)
		id := "test/seed-" + time.Now().Format(time.RFC3339Nano) + f
		renderAuto(t, r, src, id, transform.Spec{Width: 480, Format: transform.JPEG, AutoQuality: true}, look)
		for _, format := range []transform.Format{transform.WebP, transform.AVIF} {
			spec := transform.Spec{Width: 480, Format: format, AutoQuality: true}
			s := renderAuto(t, r, src, id, spec, look)
			c := renderAuto(t, r, src, "", spec, look) // no identity: no cache, no seed
			seeded, cold = seeded+s.Auto.Encodes, cold+c.Auto.Encodes
			seededBytes, coldBytes = seededBytes+len(s.Data), coldBytes+len(c.Data)
			t.Logf("%d %-24s %-4s seeded q%d in %d encodes, cold q%d in %d", i, f, format, s.Quality, s.Auto.Encodes, c.Quality, c.Auto.Encodes)
		}
	}
	t.Logf("seeded searches: %d encodes, %d B; cold: %d encodes, %d B (%.0f %% of the encodes, %+.1f %% bytes)",
		seeded, seededBytes, cold, coldBytes, 100*float64(seeded)/float64(cold), 100*(float64(seededBytes)/float64(coldBytes)-1))
	if seeded > cold {
		t.Errorf("seeding made more encodes (%d) than cold searches (%d)", seeded, cold)
	}
}

// BenchmarkAutoQuality measures, in one run, a first q=auto render (the
// search) and a cached one against a fixed-quality render of the same
// variant, and reports the ratios.
func BenchmarkAutoQuality(b *testing.B) {
	cfg := defaultConfig(b)
	r := newRenderer(b, cfg)
	look := transform.Look{Space: transform.SRGB}
	src := demoOriginal(b, "label-hoodie/front.jpg")
	for _, format := range []transform.Format{transform.JPEG, transform.WebP, transform.AVIF} {
		b.Run(string(format), func(b *testing.B) {
			fixedSpec := transform.Spec{Width: 480, Format: format}
			autoSpec := fixedSpec
			autoSpec.AutoQuality = true
			id := "bench/" + string(format) + time.Now().Format(time.RFC3339Nano)
			chosen := renderAuto(b, r, src, id, autoSpec, look) // fill the choice cache
			sameQ := fixedSpec
			sameQ.Quality = chosen.Quality
			var fixed, atChosen, first, cached time.Duration
			// Each render is timed alone, after a GC, so garbage one leaves
			// (the search's float planes) is not collected on another's clock.
			timed := func(id string, spec transform.Spec) time.Duration {
				runtime.GC()
				t0 := time.Now()
				renderAuto(b, r, src, id, spec, look)
				return time.Since(t0)
			}
			for b.Loop() {
				fixed += timed("", fixedSpec)
				atChosen += timed("", sameQ)
				cached += timed(id, autoSpec)
				first += timed("", autoSpec) // no identity: always searches
			}
			n := float64(b.N)
			b.ReportMetric(float64(fixed.Milliseconds())/n, "fixed-ms")
			b.ReportMetric(float64(first.Milliseconds())/n, "auto-first-ms")
			b.ReportMetric(float64(cached.Milliseconds())/n, "auto-cached-ms")
			b.ReportMetric(float64(first)/float64(fixed), "first/fixed")
			b.ReportMetric(float64(cached)/float64(fixed), "cached/fixed")
			// A cached render is one encode at the chosen quality: what
			// it costs beyond that encode is the lookup.
			b.ReportMetric(float64(cached)/float64(atChosen), "cached/fixed-at-chosen-q")
		})
	}
}
