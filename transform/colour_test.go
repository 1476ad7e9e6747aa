package transform_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

var amberSwatch = &transform.Swatch{Rect: [4]float64{0.42, 0.45, 0.16, 0.08}, Lab: colour.Lab{L: 57.3, A: 30.1, B: 58.0}}

// TestCalibration: the hub photo, shot under tungsten light, is brought back
// to the declared colour; without calibration it stays visibly off.
func TestCalibration(t *testing.T) {
	r, err := transform.New(defaultConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"amber-oud-50ml/front@eu-waw.jpg", "amber-oud-50ml/front.jpg"} {
		for _, space := range []transform.Space{transform.SRGB, transform.DisplayP3} {
			deltaE := map[bool]float64{}
			for _, calibrate := range []bool{true, false} {
				res, err := r.Render(context.Background(), transform.Request{
					Source: demoOriginal(t, src), SourceID: src,
					Spec: transform.Spec{Width: 480, Format: transform.WebP},
					Look: transform.Look{Space: space, Swatch: amberSwatch, Calibrate: calibrate},
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.DeltaE == nil {
					t.Fatalf("%s %s: no ΔE measured", src, space)
				}
				deltaE[calibrate] = *res.DeltaE
			}
			t.Logf("%s %s: ΔE2000 %.2f calibrated, %.2f not", src, space, deltaE[true], deltaE[false])
			if deltaE[true] > 2 {
				t.Errorf("%s %s: calibrated swatch ΔE2000 %.2f, want ≤ 2", src, space, deltaE[true])
			}
			if src == "amber-oud-50ml/front@eu-waw.jpg" && deltaE[false] < deltaE[true]+1.5 {
				t.Errorf("%s %s: uncalibrated ΔE2000 %.2f is not measurably above calibrated %.2f", src, space, deltaE[false], deltaE[true])
			}
		}
	}
}

// TestOutputProfiles: every variant carries the compact profile of its
// space (an sRGB AVIF its CICP tag instead), and the P3 variant differs
// from the sRGB one. The untagged sRGB source takes the path that converts
// no pixel for an sRGB look (the profile is written into the container).
func TestOutputProfiles(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	for _, name := range []string{
		"amber-oud-50ml/front.jpg",   // Display P3
		"label-hoodie/front.jpg",     // untagged sRGB
		"rose-absolute-30ml/box.jpg", // untagged sRGB
	} {
		src := demoOriginal(t, name)
		out := map[transform.Space][]byte{}
		for _, f := range []transform.Format{transform.JPEG, transform.PNG, transform.WebP, transform.AVIF} {
			for space, want := range map[transform.Space]string{transform.SRGB: "sRGB (edgeshelf compact)", transform.DisplayP3: "Display P3 (edgeshelf compact)"} {
				res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 200, Format: f}, Look: transform.Look{Space: space}})
				if err != nil {
					t.Fatal(err)
				}
				out[space] = res.Data
				if f == transform.AVIF && space == transform.SRGB {
					checkAVIFsRGBTag(t, cfg, name, res.Data)
					continue
				}
				info, err := transform.Inspect(res.Data, cfg)
				if err != nil {
					t.Fatal(err)
				}
				desc, err := colour.ProfileDescription(info.ICCProfile)
				if err != nil || desc != want {
					t.Errorf("%s %s %s: embedded profile %q (%v), want %q", name, f, space, desc, err, want)
				}
			}
			if string(out[transform.SRGB]) == string(out[transform.DisplayP3]) {
				t.Errorf("%s %s: sRGB and P3 variants are the same bytes", name, f)
			}
		}
	}
}

// TestMetadataStripped: no EXIF (camera, GPS) or XMP leaves the origin; the
// only metadata a variant keeps is its colour tag (ICC profile, or CICP for
// an sRGB AVIF).
func TestMetadataStripped(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	src := demoOriginal(t, "label-polo/front.jpg") // carries 3.9 KB of EXIF and XMP
	if !bytes.Contains(src, []byte("Exif")) {
		t.Fatal("the fixture lost its EXIF")
	}
	for _, f := range []transform.Format{transform.JPEG, transform.WebP, transform.PNG, transform.AVIF} {
		res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: transform.Spec{Width: 200, Format: f}})
		if err != nil {
			t.Fatal(err)
		}
		// The source's EXIF names its software and date and carries a
		// thumbnail; none of it may survive.
		markers := []string{"Exif", "EXIF", "xmp", "Photoshop", "2020:11:23", "GPS", "Adobe_CM"}
		if f == transform.AVIF {
			// libvips 8.14's HEIF writer always adds an Exif item of its own
			// making (orientation 1, 72 dpi, the output's dimensions, about
			// 190 bytes); the source-identifying markers must still be absent.
			markers = markers[2:]
		}
		for _, marker := range markers {
			if bytes.Contains(res.Data, []byte(marker)) {
				t.Errorf("%s output contains %q", f, marker)
			}
		}
		if f == transform.AVIF {
			checkAVIFsRGBTag(t, cfg, "label-polo/front.jpg", res.Data)
			continue
		}
		info, err := transform.Inspect(res.Data, cfg)
		if err != nil || !info.HasICC {
			t.Errorf("%s output lost its ICC profile (%v)", f, err)
			continue
		}
		if desc, err := colour.ProfileDescription(info.ICCProfile); desc != "sRGB (edgeshelf compact)" {
			t.Errorf("%s output embeds %q (%v), want our compact sRGB profile", f, desc, err)
		}
	}
}

// checkAVIFsRGBTag: an sRGB AVIF is tagged by CICP (nclx: BT.709 primaries,
// sRGB transfer) and embeds no ICC profile.
func checkAVIFsRGBTag(t *testing.T, cfg transform.Config, name string, data []byte) {
	t.Helper()
	info, err := transform.Inspect(data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if info.HasICC {
		t.Errorf("%s sRGB AVIF embeds an ICC profile (%d B); want the CICP tag alone", name, len(info.ICCProfile))
	}
	at := bytes.Index(data, []byte("colrnclx"))
	if at < 0 || len(data) < at+12 {
		t.Fatalf("%s sRGB AVIF has no nclx colour box", name)
	}
	if got := data[at+8 : at+12]; !bytes.Equal(got, []byte{0, 1, 0, 13}) {
		t.Errorf("%s sRGB AVIF nclx primaries/transfer % x, want 00 01 00 0d (BT.709, sRGB)", name, got)
	}
}
