package variant_test

import (
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// A preset's `quality: auto` renders its variants with q=auto; a number is
// a fixed quality; neither applies to PNG.
func TestPresetQuality(t *testing.T) {
	for _, c := range []struct {
		q        catalog.Quality
		f        transform.Format
		canonQ   string
		wantAuto bool
	}{
		{catalog.QualityAuto, transform.WebP, "&q=auto", true},
		{70, transform.JPEG, "&q=70", false},
		{0, transform.AVIF, "", false},
		{catalog.QualityAuto, transform.PNG, "", false},
	} {
		p := &catalog.Preset{Name: "card", Width: 480, Fit: "inside", Quality: c.q}
		spec := variant.PresetSpec(p, c.f)
		canon := spec.Canonical()
		if got := containsQ(canon, c.canonQ); !got {
			t.Errorf("quality %d, %s: canonical %q lacks %q", c.q, c.f, canon, c.canonQ)
		}
		if c.canonQ == "" && containsQ(canon, "&q=") {
			t.Errorf("quality %d, %s: canonical %q names a quality", c.q, c.f, canon)
		}
		if spec.AutoQuality != c.wantAuto && c.f != transform.PNG {
			t.Errorf("quality %d, %s: AutoQuality %v", c.q, c.f, spec.AutoQuality)
		}
	}
}

func containsQ(canon, part string) bool { return strings.Contains(canon, part) }
