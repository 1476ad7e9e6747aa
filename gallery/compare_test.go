package gallery_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/gallery"
)

// shot is a photo measured as shot with a neutral cast (a, b), exposure
// key l, and enough neutrals unless few is set.
func shot(view, hub string, a, b, l float64, few bool) gallery.Photo {
	wb := gallery.WhiteBalance{Neutral: !few, A: a, B: b, GreyWorldA: a, GreyWorldB: b}
	return gallery.Photo{View: view, Hub: hub, Measurement: &gallery.PhotoMeasurement{
		Shot: gallery.Measurement{WhiteBalance: wb, Exposure: gallery.Exposure{L: l}}}}
}

// TestCompareReference covers the choice of reference and of white
// balance method on measurements alone.
func TestCompareReference(t *testing.T) {
	for _, tc := range []struct {
		name      string
		photos    []gallery.Photo
		basis     string
		method    string
		wantFlags map[string][]string // photo → checks
	}{{
		name: "median of three views outvotes the odd one",
		photos: []gallery.Photo{shot("front", "", 1, 5, 95, false), shot("side", "", 1, 25, 95, false),
			shot("box", "", 1, 6, 95, false)},
		basis: "the median of 3 views", method: gallery.MethodNeutral,
		wantFlags: map[string][]string{"side": {gallery.CheckWhiteBalance}},
	}, {
		name:   "two views: the primary is the reference",
		photos: []gallery.Photo{shot("front", "", 0, 0, 100, false), shot("back", "", 0, 0, 66, false)},
		basis:  "the primary view front", method: gallery.MethodNeutral,
		wantFlags: map[string][]string{"back": {gallery.CheckExposure}},
	}, {
		name: "few neutrals: grey world judges a hub photo against its own master only",
		photos: []gallery.Photo{shot("front", "", 50, 20, 100, true), shot("back", "", 10, -9, 100, false),
			shot("front", "eu-waw", 50, 40, 100, false)},
		basis: "the primary view front", method: gallery.MethodGreyWorld,
		wantFlags: map[string][]string{"front@eu-waw": {gallery.CheckWhiteBalance}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ref := gallery.Compare(tc.photos, tc.photos[0].View, "", gallery.DefaultThresholds())
			if ref.Basis != tc.basis || ref.WhiteBalanceMethod != tc.method {
				t.Errorf("reference %+v, want %q by %s", ref, tc.basis, tc.method)
			}
			for _, p := range tc.photos {
				name := p.View
				if p.Hub != "" {
					name += "@" + p.Hub
				}
				if got := checksOf(p); !slices.Equal(got, append([]string{}, tc.wantFlags[name]...)) {
					t.Errorf("%s flagged %v, want %v", name, got, tc.wantFlags[name])
				}
				for _, f := range p.Flags {
					if !strings.Contains(f.Reason, ref.Basis) && !strings.Contains(f.Reason, "master") {
						t.Errorf("reason %q does not say what it was compared with", f.Reason)
					}
				}
			}
		})
	}
}
