package transform_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/transform"
)

// TestAutoQualityGoldenCeiling is the evidence behind minSaving's exemption
// of the golden fixtures: it renders each of them at every preset and
// format at the default quality and at q=1, the least any quality choice
// could spend, and checks that even q=1 saves less than minAutoSaving of
// their bytes, which are headers and colour tags. If an encoder change ever
// makes the target reachable, this fails and the exemption must go.
// Part of the full run (AUTO_QUALITY_FULL=1).
func TestAutoQualityGoldenCeiling(t *testing.T) {
	if !autoFullRun() {
		t.Skip("part of the full q=auto evidence run: AUTO_QUALITY_FULL=1")
	}
	cfg := defaultConfig(t)
	cfg.RenderTimeout = 10 * time.Minute
	r := newRenderer(t, cfg)
	defaults := map[transform.Format]int{transform.JPEG: cfg.QualityJPEG, transform.WebP: cfg.QualityWebP, transform.AVIF: cfg.QualityAVIF}
	type sizes struct{ fixed, lowest int }
	groups := map[string]*sizes{}
	for _, c := range goldenAutoCases(t, demoCatalog(t)) {
		for _, f := range autoFormats {
			size := func(q int) int {
				spec := presetSpec(c.preset, f, false)
				spec.Quality = q
				res, err := r.Render(context.Background(), transform.Request{Source: c.source, Spec: spec, Look: c.look})
				if err != nil {
					t.Fatalf("%s %s %s q%d: %v", c.file, c.preset.Name, f, q, err)
				}
				return len(res.Data)
			}
			k := c.preset.Name + " " + string(f)
			if groups[k] == nil {
				groups[k] = &sizes{}
			}
			groups[k].fixed += size(defaults[f])
			groups[k].lowest += size(1)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		ceiling := 1 - float64(g.lowest)/float64(g.fixed)
		t.Logf("golden %-12s default %7d B  q=1 %7d B  most any quality could save %4.1f %%", k, g.fixed, g.lowest, 100*ceiling)
		if ceiling >= minAutoSaving {
			t.Errorf("golden %s: q=1 saves %.1f %%: the 20 %% target is reachable, drop the golden exemption in minSaving", k, 100*ceiling)
		}
	}
}
