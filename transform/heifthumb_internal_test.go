package transform

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
)

// thumbFixtures are 1200×800 Display P3 photos (HEIC and AVIF) carrying a
// 480×320 thumbnail item, as phones and cameras write them. libvips cannot
// write thumbnail items, so they are made with libheif's heif-enc (Debian
// package libheif-examples) and rebuilt only with UPDATE_GOLDEN=1.
var thumbFixtures = []string{"thumb-p3.heic", "thumb-p3.avif"}

func thumbFixture(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("..", "testdata", "fixtures", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		buildThumbFixture(t, path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func buildThumbFixture(t *testing.T, path string) {
	t.Helper()
	enc, err := exec.LookPath("heif-enc")
	if err != nil {
		t.Fatal("UPDATE_GOLDEN=1 needs heif-enc: apt-get install libheif-examples")
	}
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "amber-oud-50ml", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := vips.LoadThumbnailFromBuffer(src, 1200, 800, vips.InterestingCentre, vips.SizeDown, vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	p := vips.NewPngExportParams()
	p.StripMetadata = false // the Display P3 profile stays
	png, _, err := img.ExportPng(p)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(tmp, png, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-q", "60", "-t", "480", "-o", path, tmp}
	if filepath.Ext(path) == ".avif" {
		args = append([]string{"-A"}, args...)
	}
	if out, err := exec.Command(enc, args...).CombinedOutput(); err != nil {
		t.Fatalf("heif-enc: %v: %s", err, out)
	}
}

// TestHEIFThumbnailScaleOnLoad: a HEIF/AVIF variant small enough is made
// from the embedded thumbnail (libheif's only scale-on-load), with exactly
// the geometry the primary would give (TestHEIFThumbnailColour compares
// the colour); a larger one, and a source without a thumbnail, decode the
// primary.
func TestHEIFThumbnailScaleOnLoad(t *testing.T) {
	cfg := Defaults()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec      Spec
		thumbnail bool
		w, h      int
	}{
		{Spec{Width: 300, Format: PNG}, true, 300, 200},
		{Spec{Width: 480, Format: PNG}, true, 480, 320},
		{Spec{Width: 240, Height: 240, Fit: Cover, Format: PNG}, true, 240, 240},
		{Spec{Width: 100, Height: 300, Fit: Cover, Format: PNG}, true, 100, 300}, // needs 450×300 of 480×320
		{Spec{Width: 500, Format: PNG}, false, 500, 333},
		{Spec{Width: 100, Height: 400, Fit: Cover, Format: PNG}, false, 100, 400}, // needs 600×400
		{Spec{Width: 1200, Format: PNG}, false, 1200, 800},
	}
	for _, name := range thumbFixtures {
		src := thumbFixture(t, name)
		for _, c := range cases {
			st := &state{cfg: cfg, req: Request{Source: src, Spec: c.spec}, spec: c.spec.normalised(), log: slog.Default()}
			runGeometry(t, st)
			w, h := st.img.Width(), st.img.Height()
			st.img.Close()
			if st.fromThumbnail != c.thumbnail || w != c.w || h != c.h {
				t.Errorf("%s %+v: the geometry steps gave %d×%d from the thumbnail %v, want %d×%d from the thumbnail %v",
					name, c.spec, w, h, st.fromThumbnail, c.w, c.h, c.thumbnail)
			}
			res, err := r.Render(context.Background(), Request{Source: src, Spec: c.spec})
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != c.w || res.Height != c.h {
				t.Errorf("%s %+v: rendered %d×%d, want %d×%d", name, c.spec, res.Width, res.Height, c.w, c.h)
			}
		}

	}

	// No thumbnail item: the primary, decoded once.
	src, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", "exif6.heic"))
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Width: 8, Format: PNG}
	st := &state{cfg: cfg, req: Request{Source: src, Spec: spec}, spec: spec.normalised(), log: slog.Default()}
	runGeometry(t, st)
	defer st.img.Close()
	if st.fromThumbnail || st.img.Width() != 8 {
		t.Errorf("exif6.heic at 8 px: %d wide, from the thumbnail %v; want 8 from the primary", st.img.Width(), st.fromThumbnail)
	}
}

// runGeometry inspects st's source and runs the pipeline's steps up to and
// including enlargeCover: st.img is then at the variant's size.
func runGeometry(t testing.TB, st *state) {
	t.Helper()
	info, err := Inspect(st.req.Source, st.cfg)
	if err != nil {
		t.Fatal(err)
	}
	st.info = info
	for _, s := range pipeline {
		if err := s.run(st); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.name == "enlargeCover" {
			return
		}
	}
	t.Fatal("the pipeline has no enlargeCover step")
}

// BenchmarkHEIFThumbnail renders a 300 px PNG from the 1200×800 HEIC with
// its thumbnail item, and from the same pixels re-encoded without one.
func BenchmarkHEIFThumbnail(b *testing.B) {
	cfg := Defaults()
	r, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	withThumb, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", "thumb-p3.heic"))
	if err != nil {
		b.Fatal(err)
	}
	img, err := vips.LoadImageFromBuffer(withThumb, vips.NewImportParams())
	if err != nil {
		b.Fatal(err)
	}
	p := vips.NewHeifExportParams()
	p.Quality = 60
	without, _, err := img.ExportHeif(p)
	img.Close()
	if err != nil {
		b.Fatal(err)
	}
	for _, src := range []struct {
		name string
		data []byte
	}{{"thumbnail", withThumb}, {"primary", without}} {
		b.Run(src.name, func(b *testing.B) {
			req := Request{Source: src.data, Spec: Spec{Width: 300, Format: PNG}}
			// Both sources must give the same variant, and only the first
			// from its thumbnail, or the two timings compare nothing.
			st := &state{cfg: cfg, req: req, spec: req.Spec.normalised(), log: slog.Default()}
			runGeometry(b, st)
			st.close()
			if st.fromThumbnail != (src.name == "thumbnail") {
				b.Fatalf("decoded from the thumbnail item: %v", st.fromThumbnail)
			}
			res, err := r.Render(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			if res.Width != 300 || res.Height != 200 {
				b.Fatalf("rendered %d×%d, want 300×200", res.Width, res.Height)
			}
			for b.Loop() {
				if _, err := r.Render(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSameShape(t *testing.T) {
	cases := []struct {
		tw, th, w, h int
		want         bool
	}{
		{480, 320, 1200, 800, true},
		{480, 321, 1200, 800, true},   // a pixel of rounding
		{512, 384, 4032, 3024, true},  // a phone's 4:3
		{320, 480, 1200, 800, false},  // rotated
		{160, 120, 4000, 2667, false}, // 4:3 thumbnail of a 3:2 photo
		{160, 100, 4000, 2667, false}, // letterboxed crop
		{1, 1, 3, 3, true},
	}
	for _, c := range cases {
		if got := sameShape(c.tw, c.th, c.w, c.h); got != c.want {
			t.Errorf("sameShape(%d×%d of %d×%d) = %v, want %v", c.tw, c.th, c.w, c.h, got, c.want)
		}
	}
}
