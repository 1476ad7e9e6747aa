package images

import (
	"math"
	"testing"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

var defaultLimits = hintLimits{MaxWidth: 4096, MaxHeight: 4096, MaxDPR: 4}

func TestHintedBox(t *testing.T) {
	card := box{Width: 480}
	thumb := box{Width: 200, Height: 200}
	wide := box{Width: 1200, Height: 600}
	cases := []struct {
		name   string
		preset box
		hints  clientHints
		lim    hintLimits
		want   box
	}{
		{"no hints: the preset itself", card, clientHints{}, defaultLimits, box{Width: 480}},
		{"dpr 2 doubles", card, clientHints{DPR: 2}, defaultLimits, box{Width: 960}},
		{"dpr 1.3 rounds to 1.5", card, clientHints{DPR: 1.3}, defaultLimits, box{Width: 720}},
		{"dpr 1.2 rounds to 1", card, clientHints{DPR: 1.2}, defaultLimits, box{Width: 480}},
		{"dpr 1.25 ties up to 1.5", card, clientHints{DPR: 1.25}, defaultLimits, box{Width: 720}},
		{"dpr 2.625 rounds to 3", card, clientHints{DPR: 2.625}, defaultLimits, box{Width: 1440}},
		{"dpr 9 is clamped to 3", card, clientHints{DPR: 9}, defaultLimits, box{Width: 1440}},
		{"dpr 0.5 is clamped to 1", card, clientHints{DPR: 0.5}, defaultLimits, box{Width: 480}},
		{"MAX_DPR 2 caps dpr 3", card, clientHints{DPR: 3}, hintLimits{MaxWidth: 4096, MaxHeight: 4096, MaxDPR: 2}, box{Width: 960}},
		{"width snaps up to the ladder", card, clientHints{Width: 300}, defaultLimits, box{Width: 320}},
		{"width on a rung stays", card, clientHints{Width: 320}, defaultLimits, box{Width: 320}},
		{"width past preset × dpr is capped", card, clientHints{Width: 2000, DPR: 2}, defaultLimits, box{Width: 960}},
		{"width wins over viewport", card, clientHints{Width: 300, ViewportWidth: 1400}, defaultLimits, box{Width: 320}},
		{"viewport × dpr bounds", card, clientHints{DPR: 2, ViewportWidth: 375}, defaultLimits, box{Width: 800}},
		{"wide viewport leaves preset × dpr", card, clientHints{DPR: 2, ViewportWidth: 1400}, defaultLimits, box{Width: 960}},
		{"past the top rung: preset × dpr", box{Width: 2400}, clientHints{Width: 3000, DPR: 2}, defaultLimits, box{Width: 4096}},
		{"square keeps its aspect", thumb, clientHints{DPR: 2}, defaultLimits, box{Width: 400, Height: 400}},
		{"square snaps with height", thumb, clientHints{Width: 150}, defaultLimits, box{Width: 160, Height: 160}},
		{"output width limit", wide, clientHints{DPR: 3}, hintLimits{MaxWidth: 2000, MaxHeight: 4096}, box{Width: 2000, Height: 1000}},
		{"output height limit keeps aspect", wide, clientHints{DPR: 3}, hintLimits{MaxWidth: 4096, MaxHeight: 900}, box{Width: 1800, Height: 900}},
		{"height-only preset: dpr only", box{Height: 300}, clientHints{DPR: 2, Width: 100}, defaultLimits, box{Height: 600}},
		{"source caps dpr 3", card, clientHints{DPR: 3}, hintLimits{MaxWidth: 4096, MaxHeight: 4096, Source: box{Width: 1200, Height: 1200}}, box{Width: 1200}},
		{"source never cuts below the preset", box{Width: 2400}, clientHints{DPR: 2}, hintLimits{MaxWidth: 8000, MaxHeight: 8000, Source: box{Width: 1200, Height: 1200}}, box{Width: 2400}},
		{"source cap never lifts past the limit", box{Width: 2400}, clientHints{DPR: 2}, hintLimits{MaxWidth: 2000, MaxHeight: 4096, Source: box{Width: 1200, Height: 1200}}, box{Width: 2000}},
		{"source cap with a box: the taller side", wide, clientHints{DPR: 3}, hintLimits{MaxWidth: 8000, MaxHeight: 8000, Source: box{Width: 1300, Height: 1000}}, box{Width: 2000, Height: 1000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := hintedBox(c.preset, c.hints, c.lim); got != c.want {
				t.Fatalf("hintedBox(%+v, %+v) = %+v, want %+v", c.preset, c.hints, got, c.want)
			}
		})
	}
}

// TestHintsBoundEntries sweeps every width hint from 1 to 3000 px at
// eleven DPRs, with and without a viewport: each preset resolves to at most
// one box per ladder rung below its largest size plus one per DPR step, so
// hints cannot fragment the cache however many devices ask.
func TestHintsBoundEntries(t *testing.T) {
	for _, preset := range []box{{Width: 200, Height: 200}, {Width: 480}, {Width: 1200}, {Width: 2400}} {
		seen := map[box]bool{}
		requests := 0
		for _, dpr := range []float64{0, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.25, 2.625, 3, 3.5} {
			for w := 0; w <= 3000; w++ {
				for _, vw := range []int{0, 375} {
					seen[hintedBox(preset, clientHints{DPR: dpr, Width: w, ViewportWidth: vw}, defaultLimits)] = true
					requests++
				}
			}
		}
		if most := len(widthLadder) + len(dprSteps); len(seen) > most {
			t.Errorf("preset %+v: %d distinct boxes, want ≤ %d", preset, len(seen), most)
		}
		t.Logf("preset %+v: %d hint combinations → %d boxes", preset, requests, len(seen))
	}
}

func TestParseHints(t *testing.T) {
	cases := []struct {
		dpr, width, viewport string
		want                 clientHints
	}{
		{"2", "960", "1280", clientHints{DPR: 2, Width: 960, ViewportWidth: 1280}},
		{" 1.5 ", "\t320", "375 ", clientHints{DPR: 1.5, Width: 320, ViewportWidth: 375}},
		{"2.625", "", "", clientHints{DPR: 2.625}},
		{"NaN", "12px", "-1", clientHints{}},
		{"1e1", "1e3", "0x10", clientHints{}},
		{"Inf", "123456", "+5", clientHints{}},
		{"-2", "3.5", "", clientHints{}},
		{"2.", ".5", "", clientHints{}},
		{".5", "", "", clientHints{}},
		{"1.0001", "", "", clientHints{}},
		{"0", "0", "0", clientHints{}},
	}
	for _, c := range cases {
		h := map[string]string{hintDPR: c.dpr, hintWidth: c.width, hintViewportWidth: c.viewport}
		if got := parseHints(func(n string) string { return h[n] }); got != c.want {
			t.Errorf("parseHints(%q, %q, %q) = %+v, want %+v", c.dpr, c.width, c.viewport, got, c.want)
		}
	}
}

// FuzzHints feeds arbitrary header values through parsing and resolution
// for a width-only, a square and a wide preset: whatever a client sends,
// the box stays within the output limits and preset × 3, never below 1 px,
// and keeps the preset's aspect.
func FuzzHints(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzHints: the shared, hostile seeds
	f.Add("2", "960", "1280")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, dpr, width, viewport string) {
		h := map[string]string{hintDPR: dpr, hintWidth: width, hintViewportWidth: viewport}
		hints := parseHints(func(n string) string { return h[n] })
		if hints.DPR < 0 || math.IsNaN(hints.DPR) || math.IsInf(hints.DPR, 0) || hints.Width < 0 || hints.ViewportWidth < 0 {
			t.Fatalf("parsed %+v from %q %q %q", hints, dpr, width, viewport)
		}
		for _, preset := range []box{{Width: 480}, {Width: 200, Height: 200}, {Width: 1200, Height: 600}, {Width: 1, Height: 4000}, {Height: 300}} {
			checkBox(t, preset, hintedBox(preset, hints, defaultLimits))
		}
	})
}

// checkBox fails unless b is a box hints may give preset.
func checkBox(t *testing.T, preset, b box) {
	t.Helper()
	pw, ph := preset.Width, preset.Height
	switch {
	case b.Width > defaultLimits.MaxWidth || b.Height > defaultLimits.MaxHeight:
		t.Fatalf("%+v past the limits", b)
	case b.Width > 3*pw || b.Height > 3*ph:
		t.Fatalf("%+v for preset %+v: more than 3×", b, preset)
	case pw > 0 && b.Width < 1:
		t.Fatalf("%+v for preset %+v: no width", b, preset)
	case pw > 0 && ph > 0 && abs(b.Height*pw-ph*b.Width) > pw:
		t.Fatalf("%+v for preset %+v: aspect lost", b, preset)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestCacheStatus(t *testing.T) {
	both, l1only, l2only := tierSet{l1: true, l2: true}, tierSet{l1: true}, tierSet{l2: true}
	cases := []struct {
		tiers      tierSet
		src        cache.Source
		negotiated bool
		want       string
	}{
		{both, cache.FromL1, false, "edgeshelf-l1; hit"},
		{both, cache.FromL2, false, "edgeshelf-l2; hit, edgeshelf-l1; fwd=uri-miss; stored"},
		{both, cache.FromRender, false, "edgeshelf-l2; fwd=uri-miss; stored, edgeshelf-l1; fwd=uri-miss; stored"},
		{both, cache.FromRender, true, "edgeshelf-l2; fwd=miss; stored, edgeshelf-l1; fwd=miss; stored"},
		{l1only, cache.FromRender, false, "edgeshelf-l1; fwd=uri-miss; stored"},
		{l2only, cache.FromL2, false, "edgeshelf-l2; hit"},
		{l2only, cache.FromRender, true, "edgeshelf-l2; fwd=miss; stored"},
		{tierSet{}, cache.FromRender, false, ""},
		{both, cache.FromPeer, false, "edgeshelf-peer; hit, edgeshelf-l1; fwd=uri-miss"},
		{both, cache.FromPeer, true, "edgeshelf-peer; hit, edgeshelf-l1; fwd=miss"},
	}
	for _, c := range cases {
		if got := cacheStatus(c.tiers, c.src, c.negotiated); got != c.want {
			t.Errorf("cacheStatus(%+v, %s, %v) = %q, want %q", c.tiers, c.src, c.negotiated, got, c.want)
		}
	}
}
