package transform_test

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// TestDemoSwatchesMatchMasters keeps the demo catalog honest: each declared
// swatch Lab is what the master photo shows, and the hub photos really are
// off by a visible cast (else calibration would have nothing to correct).
func TestDemoSwatchesMatchMasters(t *testing.T) {
	cat := demoCatalog(t)
	cfg := defaultConfig(t)
	swatches := 0
	for _, sku := range cat.SKUs {
		if sku.Swatch == nil {
			continue
		}
		swatches++
		want := colour.Lab{L: sku.Swatch.Lab[0], A: sku.Swatch.Lab[1], B: sku.Swatch.Lab[2]}
		master := decodeFile(t, cfg, sku.ID+"/"+sku.Swatch.View+".jpg")
		if de := colour.DeltaE2000(transform.MeasureRect(master, sku.Swatch.Rect), want); de > 1 {
			t.Errorf("%s: master swatch is ΔE2000 %.2f from the declared Lab, want ≤ 1", sku.ID, de)
		}
		hub := decodeFile(t, cfg, sku.ID+"/"+sku.Swatch.View+"@eu-waw.jpg")
		if de := colour.DeltaE2000(transform.MeasureRect(hub, sku.Swatch.Rect), want); de < 3 {
			t.Errorf("%s: hub photo swatch is only ΔE2000 %.2f from the declared Lab; the cast should be visible (≥ 3)", sku.ID, de)
		}
	}
	if swatches < 1 {
		t.Fatal("the demo catalog declares no swatch")
	}
}

func decodeFile(t *testing.T, cfg transform.Config, rel string) *transform.Pixels {
	t.Helper()
	px, err := transform.Decode(demoOriginal(t, rel), cfg)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return px
}
