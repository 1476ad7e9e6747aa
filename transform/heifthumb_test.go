package transform_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// heifThumbFixtures are the 1200×800 Display P3 HEIC and AVIF carrying a
// 480×320 thumbnail item (thumbFixtures inside the package).
var heifThumbFixtures = []string{"thumb-p3.heic", "thumb-p3.avif"}

// TestHEIFThumbnailColour: a variant made from a HEIF/AVIF's thumbnail item
// (300 px; TestHEIFThumbnailScaleOnLoad checks that it is) shows the colours
// of one made from the primary image (600 px, larger than the thumbnail),
// on a 4×4 grid after both went through the colour pipeline to sRGB.
func TestHEIFThumbnailColour(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	for _, name := range heifThumbFixtures {
		src, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		grid := func(width int) []colour.Lab {
			res, px := render(t, r, cfg, src, transform.Spec{Width: width, Format: transform.PNG})
			if res.Width != width {
				t.Fatalf("%s: %d px wide, want %d", name, res.Width, width)
			}
			return labGrid(px)
		}
		if de := colour.MeanDeltaE2000(grid(300), grid(600)); de > 1.0 {
			t.Errorf("%s: thumbnail vs primary mean ΔE2000 %.2f, want ≤ 1.0", name, de)
		} else {
			t.Logf("%s: thumbnail vs primary mean ΔE2000 %.2f", name, de)
		}
	}
}
