package gallery_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/gallery"
)

// tungsten is a ~3200 K lamp on a daylight-balanced setup: red up, blue
// down, in linear light (the demo's hub photos use the same gains).
var tungsten = [3]float64{1.20, 1.0, 0.65}

// underBy is a uniform exposure change of stops.
func underBy(stops float64) [3]float64 {
	g := math.Pow(2, -stops)
	return [3]float64{g, g, g}
}

// TestDemoCatalogHasNoOutliers is the false-positive test: every photo of
// the demo catalog, hub photos included, is measured and none is flagged.
func TestDemoCatalogHasNoOutliers(t *testing.T) {
	blob := demoCopy(t, func(s string) string { return s })
	reports, err := newService(t, blob).ReportAll(context.Background(), loadCatalog(t, blob), gallery.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	photos := 0
	var maxWB, maxStops float64
	for _, rep := range reports {
		for _, p := range rep.Photos {
			photos++
			if p.WhiteBalanceDelta != nil {
				maxWB = max(maxWB, *p.WhiteBalanceDelta)
			}
			if p.ExposureStops != nil {
				maxStops = max(maxStops, math.Abs(*p.ExposureStops))
			}
			if p.Measurement == nil {
				t.Errorf("%s %s@%s not measured: %s", rep.SKU, p.View, p.Hub, p.Error)
			}
			if len(p.Flags) > 0 {
				t.Errorf("%s %s@%s flagged: %+v", rep.SKU, p.View, p.Hub, p.Flags)
			}
		}
	}
	t.Logf("margins: white balance %.1f of %g, exposure %.2f of %g stops", maxWB, gallery.DefaultThresholds().WhiteBalance,
		maxStops, gallery.DefaultThresholds().ExposureStops)
	if photos != 21 {
		t.Errorf("measured %d photos, want the demo's 21 (19 views and 2 hub photos)", photos)
	}
}

// TestTungstenViewAndUnderexposedHubPhoto builds a SKU from the demo's
// rose bottle: its side view shot under tungsten and an EU hub photo of
// the front 1.5 stops under. Each is flagged with its own reason and
// nothing else; the untouched views are not flagged.
func TestTungstenViewAndUnderexposedHubPhoto(t *testing.T) {
	blob := demoCopy(t, func(s string) string {
		return mustReplace(t, s, "skus:\n", "skus:\n  - id: test-gallery\n    title: Gallery test bottle\n    views: [front, side, box]\n")
	})
	for _, view := range []string{"front", "box"} {
		put(t, blob, "originals/test-gallery/"+view+".jpg", read(t, "originals/rose-absolute-30ml/"+view+".jpg"))
	}
	put(t, blob, "originals/test-gallery/side.jpg", lit(t, read(t, "originals/rose-absolute-30ml/side.jpg"), tungsten))
	put(t, blob, "originals/test-gallery/front@eu-waw.jpg", lit(t, read(t, "originals/rose-absolute-30ml/front.jpg"), underBy(1.5)))

	rep, err := newService(t, blob).Report(context.Background(), loadCatalog(t, blob), "test-gallery", gallery.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Reference.WhiteBalanceMethod != gallery.MethodNeutral || rep.Flagged != 2 {
		t.Errorf("reference %+v, %d flagged photos; want neutral and 2", rep.Reference, rep.Flagged)
	}
	for _, tc := range []struct {
		view, hub string
		want      []string
	}{
		{"front", "", nil},
		{"box", "", nil},
		{"side", "", []string{gallery.CheckWhiteBalance}},
		{"front", "eu-waw", []string{gallery.CheckExposure}},
	} {
		p := photo(t, rep, tc.view, tc.hub)
		if got := checksOf(p); !slices.Equal(got, append([]string{}, tc.want...)) {
			t.Errorf("%s@%s flagged %v, want %v: %+v", tc.view, tc.hub, got, tc.want, p.Flags)
		}
	}
	for _, p := range rep.Photos {
		t.Logf("%s@%s wb Δ %.1f, exposure %+.2f stops, flags %+v", p.View, p.Hub, *p.WhiteBalanceDelta, *p.ExposureStops, p.Flags)
	}
	wb := photo(t, rep, "side", "").Flags[0]
	if wb.Difference < 15 || wb.Difference > 30 || wb.Threshold != 12 || wb.Reason[:9] != "warm cast" {
		t.Errorf("white balance flag %+v, want a warm cast of 15-30 a*b* units", wb)
	}
	ex := photo(t, rep, "front", "eu-waw").Flags[0]
	if ex.Difference > -1.25 || ex.Difference < -1.75 || ex.Unit != "stops" || ex.Reason[:12] != "underexposed" {
		t.Errorf("exposure flag %+v, want about -1.5 stops, underexposed", ex)
	}
}

// TestSwatchMismatch declares the hoodie a different red from the one
// photographed: the master, whose light matches the gallery, is flagged
// for its swatch; the hub photo, whose tungsten light explains its own
// difference (calibration corrects it), is not.
func TestSwatchMismatch(t *testing.T) {
	blob := demoCopy(t, func(s string) string {
		return mustReplace(t, s, "lab: [58.4, 70.9, 31.7]", "lab: [50.0, 62.0, 18.0]")
	})
	rep, err := newService(t, blob).Report(context.Background(), loadCatalog(t, blob), "label-hoodie", gallery.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	master := photo(t, rep, "front", "")
	t.Logf("master flags %+v", master.Flags)
	if !slices.Contains(checksOf(master), gallery.CheckSwatch) {
		t.Fatalf("master flagged %+v, want swatch", master.Flags)
	}
	for _, f := range master.Flags {
		if f.Check == gallery.CheckSwatch && (f.Difference <= 3 || f.Threshold != 3) {
			t.Errorf("swatch flag %+v, want a ΔE2000 over the bound 3", f)
		}
	}
	if hub := photo(t, rep, "front", "eu-waw"); slices.Contains(checksOf(hub), gallery.CheckSwatch) {
		t.Errorf("hub photo flagged %+v: its light, not the product, differs", hub.Flags)
	}
}

// TestRepeatedReportDecodesOnlyChangedPhotos: measurements are kept by
// original and ETag, so a second report decodes nothing and a replaced
// photo is decoded again, alone.
func TestRepeatedReportDecodesOnlyChangedPhotos(t *testing.T) {
	blob := demoCopy(t, func(s string) string { return s })
	svc := newService(t, blob)
	ctx := context.Background()
	th := gallery.DefaultThresholds()
	if _, err := svc.Report(ctx, loadCatalog(t, blob), "amber-oud-50ml", th); err != nil {
		t.Fatal(err)
	}
	if got := svc.Decoded(); got != 4 {
		t.Fatalf("first report decoded %d photos, want 4", got)
	}
	if _, err := svc.Report(ctx, loadCatalog(t, blob), "amber-oud-50ml", th); err != nil || svc.Decoded() != 4 {
		t.Fatalf("second report: %v, %d decodes in all, want still 4", err, svc.Decoded())
	}
	put(t, blob, "originals/amber-oud-50ml/side.jpg", lit(t, read(t, "originals/amber-oud-50ml/side.jpg"), underBy(1)))
	rep, err := svc.Report(ctx, loadCatalog(t, blob), "amber-oud-50ml", th)
	if err != nil || svc.Decoded() != 5 {
		t.Fatalf("after replacing one photo: %v, %d decodes in all, want 5", err, svc.Decoded())
	}
	if got := checksOf(photo(t, rep, "side", "")); !slices.Equal(got, []string{gallery.CheckExposure}) {
		t.Errorf("the replaced side view flagged %v, want exposure", got)
	}
}

// TestUnknownSKUAndCorruptPhoto: an unknown SKU is the catalog's not-found
// error (404 at the API); a photo that does not decode is listed with its
// reason and the others are still judged.
func TestUnknownSKUAndCorruptPhoto(t *testing.T) {
	blob := demoCopy(t, func(s string) string { return s })
	svc := newService(t, blob)
	var nf *catalog.NotFoundError
	if _, err := svc.Report(context.Background(), loadCatalog(t, blob), "no-such-sku", gallery.DefaultThresholds()); !errors.As(err, &nf) {
		t.Fatalf("unknown SKU: %v, want a catalog.NotFoundError", err)
	}
	put(t, blob, "originals/label-tee/back.jpg", []byte("not a jpeg"))
	rep, err := svc.Report(context.Background(), loadCatalog(t, blob), "label-tee", gallery.DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	if back := photo(t, rep, "back", ""); back.Error == "" || back.Measurement != nil {
		t.Errorf("corrupt back view: %+v, want an error and no measurement", back)
	}
	if front := photo(t, rep, "front", ""); front.Measurement == nil || len(front.Flags) != 0 {
		t.Errorf("front view: %+v, want measured and not flagged", front)
	}
}
