package peers_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/bench/peers"
)

// The generator must make the same bytes every time (the lead's re-run uses
// the same originals), different originals per index, photo-sized files,
// and a set kept in its directory is reused rather than made again.
func TestGenerateDeterministicAndDistinct(t *testing.T) {
	demo := filepath.Join("..", "..", "demo")
	size := image.Pt(600, 400) // the bench's 3000x2000 take seconds each under -race
	a, err := peers.GenerateSized(t.TempDir(), demo, 3, size)
	if err != nil {
		t.Fatal(err)
	}
	b, err := peers.GenerateSized(t.TempDir(), demo, 3, size)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 3 {
		if a.SHA256[i] != b.SHA256[i] {
			t.Errorf("original %d differs between two runs", i)
		}
		if seen[a.SHA256[i]] {
			t.Errorf("original %d repeats another", i)
		}
		seen[a.SHA256[i]] = true
		// A photo at q90 takes about 2 bits per pixel; a flat render a fraction of that.
		if bpp := float64(a.Bytes[i]*8) / float64(size.X*size.Y); bpp < 1.5 {
			t.Errorf("original %d is %.2f bits per pixel: too flat to stand for a photo", i, bpp)
		}
		data, err := os.ReadFile(filepath.Join(a.Dir, a.Path(a.SKUs[i])))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width != size.X || cfg.Height != size.Y {
			t.Errorf("original %d: %v %dx%d", i, err, cfg.Width, cfg.Height)
		}
	}
	// Reused: no demo photos are needed to return a complete set.
	again, err := peers.GenerateSized(a.Dir, filepath.Join(t.TempDir(), "no-demo"), 3, size)
	if err != nil {
		t.Fatalf("a complete set was not reused: %v", err)
	}
	if again.SHA256[2] != a.SHA256[2] {
		t.Error("reused set reports other hashes")
	}
}

// TestTranscode: an AVIF or HEIC set holds the generated originals at their
// size, in that format, without a thumbnail item (so both servers decode
// the primary), named with its extension, and is reused once made; an
// unknown format is refused.
func TestTranscode(t *testing.T) {
	size := image.Pt(600, 400)
	jpegs, err := peers.GenerateSized(t.TempDir(), filepath.Join("..", "..", "demo"), 2, size)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"avif", "heic"} {
		dir := filepath.Join(t.TempDir(), format)
		set, err := jpegs.Transcode(format, dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, sku := range set.SKUs {
			if got := set.Path(sku); got != "originals/"+sku+"/front."+format {
				t.Errorf("path %s", got)
			}
			data, err := os.ReadFile(filepath.Join(dir, set.Path(sku)))
			if err != nil {
				t.Fatal(err)
			}
			img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
			if err != nil {
				t.Fatal(err)
			}
			typ, w, h := img.Format(), img.Width(), img.Height()
			img.Close()
			if w != size.X || h != size.Y || !bytes.Contains(data[:32], []byte(format)) /* the ftyp brand */ {
				t.Errorf("%s original %d: %v %dx%d, brand %q", format, i, typ, w, h, data[8:12])
			}
			if bytes.Contains(data, []byte("thmb")) {
				t.Errorf("%s original %d has a thumbnail item", format, i)
			}
		}
		again, err := (&peers.Originals{Dir: t.TempDir(), Size: size, SKUs: jpegs.SKUs}).Transcode(format, dir)
		if err != nil || again.SHA256[1] != set.SHA256[1] {
			t.Errorf("%s set not reused: %v", format, err)
		}
	}
	if _, err := jpegs.Transcode("gif", t.TempDir()); err == nil {
		t.Error("a gif source was accepted")
	}
}
