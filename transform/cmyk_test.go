package transform_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// cmykPatches is the chart's patches, as Lab, measured on a variant.
func cmykPatches(px *transform.Pixels) []colour.Lab {
	out := make([]colour.Lab, len(chartColours))
	for i := range out {
		out[i] = transform.MeasureRect(px, centre(patchRect(i), 0.5))
	}
	return out
}

// TestGoldenCMYK: the tagged, untagged and RGB-tagged CMYK files hold the
// same pixels; rendered, they must agree (the default CMYK profile is the
// built-in one, and a profile of the wrong colour space is ignored).
// TestCMYKMatchesVipsCLI compares them with libvips' own conversion.
func TestGoldenCMYK(t *testing.T) {
	ensureFixtures(t)
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	for _, gs := range specsFor(fixtureNamed(t, "cmyk-tagged")) {
		t.Run(gs.name, func(t *testing.T) {
			measured := map[string][]colour.Lab{}
			for _, name := range []string{"cmyk-tagged", "cmyk-untagged", "cmyk-rgb-profile"} {
				f := fixtureNamed(t, name)
				var logged bytes.Buffer
				r.SetLogger(slog.New(slog.NewTextHandler(&logged, nil)))
				_, px := render(t, r, cfg, readFixture(t, f), gs.spec(f))
				measured[name] = cmykPatches(px)
				// The mismatched profile is decided by the pipeline and
				// logged once; a fitting or absent one is not reported.
				warned := bytes.Count(logged.Bytes(), []byte("ignoring an embedded ICC profile"))
				want := 0
				if name == "cmyk-rgb-profile" {
					want = 1
					if !bytes.Contains(logged.Bytes(), []byte("image=CMYK profile=RGB")) {
						t.Errorf("%s: the warning does not name the mismatch: %s", name, logged.Bytes())
					}
				}
				if warned != want {
					t.Errorf("%s: %d profile warnings, want %d: %s", name, warned, want, logged.Bytes())
				}
			}
			for _, other := range []string{"cmyk-untagged", "cmyk-rgb-profile"} {
				de := colour.MeanDeltaE2000(measured["cmyk-tagged"], measured[other])
				t.Logf("%s vs cmyk-tagged: mean ΔE2000 %.3f", other, de)
				if de > 1 {
					t.Errorf("%s renders a mean ΔE2000 %.2f from cmyk-tagged, want ≤ 1", other, de)
				}
			}
			if gs.colour {
				srgb := make([]colour.Lab, len(chartColours))
				for i, c := range chartColours {
					srgb[i] = colour.SRGBToLab(c.R, c.G, c.B)
				}
				t.Logf("cmyk-tagged vs the sRGB chart it was separated from (gamut-mapped to CMYK): mean ΔE2000 %.2f",
					colour.MeanDeltaE2000(srgb, measured["cmyk-tagged"]))
			}
		})
	}
}

// TestCMYKMatchesVipsCLI: the tagged and untagged CMYK charts render within
// a mean ΔE2000 of 1 of `vips icc_transform`, libvips' own conversion. The
// vips CLI is part of the test toolchain (Debian package libvips-tools):
// without it this fails, rather than passing without comparing anything.
func TestCMYKMatchesVipsCLI(t *testing.T) {
	ensureFixtures(t)
	vipsCLI, err := exec.LookPath("vips")
	if err != nil {
		t.Fatalf("the vips command-line tool is not on PATH (%v): install the apt package libvips-tools "+
			"(apt-get install libvips-tools) to compare the CMYK conversion with `vips icc_transform`", err)
	}
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	r.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := fixtureNamed(t, "cmyk-tagged")
	_, px := render(t, r, cfg, readFixture(t, f), goldenSpecs[2].spec(f))
	ours := cmykPatches(px)
	dir := t.TempDir()
	for _, name := range []string{"cmyk-tagged", "cmyk-untagged"} {
		in, out := filepath.Join(dir, name+".jpg"), filepath.Join(dir, name+".png")
		if err := os.WriteFile(in, readFixture(t, fixtureNamed(t, name)), 0o600); err != nil {
			t.Fatal(err)
		}
		// The CLI's default intent is relative, the pipeline's perceptual
		// (govips' choice); libvips' CMYK profile gives the same sRGB
		// either way (checked: identical output).
		cmd := exec.Command(vipsCLI, "icc_transform", in, out, "srgb")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", cmd, err, msg)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		cli, err := transform.Decode(b, cfg)
		if err != nil {
			t.Fatal(err)
		}
		de := colour.MeanDeltaE2000(cmykPatches(cli), ours)
		t.Logf("vips icc_transform %s.jpg srgb vs the pipeline: mean ΔE2000 %.3f", name, de)
		if de > 1 {
			t.Errorf("%s: the pipeline is a mean ΔE2000 %.2f from `vips icc_transform`, want ≤ 1", name, de)
		}
	}
}
