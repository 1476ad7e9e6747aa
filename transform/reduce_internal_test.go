package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
)

// TestLanczos3 scales a photo both ways — libvips' resize, and lanczos3's
// vertical passes with a quarter turn between them — at the factors the
// pipeline uses (a zoom of a 6 MP original, shrink-on-load residues, a
// pyramid level, forced aspect changes): the same size always, and pixels
// apart only by liborc's rounding. With liborc off, and at a reduction of
// 4× or more on either axis (where the quarter turn recomputed libvips'
// integer shrink for every tile: an AVIF without a thumbnail item took
// 6.3 s to a 480 px card), lanczos3 is libvips' resize, byte for byte.
func TestLanczos3(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	scales := [][2]float64{{0.8, 0.8}, {0.5333, 0.5333}, {0.39, 0.39}, {0.6827, 0.6827}, {0.1, 0.1},
		{0.999, 0.999}, {0.5, 0.9}, {0.9, 0.5}, {0.3, 1}, {1, 0.3}, {0.25, 0.25}, {0.2501, 0.2501}, {0.001, 0.5}, {0.5, 0.2}}
	for _, sc := range scales {
		t.Run(fmt.Sprintf("%gx%g", sc[0], sc[1]), func(t *testing.T) {
			want := loadJPEG(t, src)
			defer want.Close()
			if err := want.ResizeWithVScale(sc[0], sc[1], vips.KernelLanczos3); err != nil {
				t.Fatal(err)
			}
			got := loadJPEG(t, src)
			defer got.Close()
			if err := lanczos3(got, sc[0], sc[1]); err != nil {
				t.Fatal(err)
			}
			worst, mean := imageDiff(t, got, want)
			if (!vectorEnabled() || min(sc[0], sc[1]) <= maxIntShrinkScale) && worst != 0 {
				t.Fatalf("libvips' own resize expected: pixels differ from it by up to %d levels", worst)
			}
			meanBound := 0.15
			if min(got.Width(), got.Height()) < 16 {
				meanBound = 0.5 // a few pixels: each one weighs
			}
			if worst > 8 || mean > meanBound {
				t.Errorf("pixels differ from libvips' resize by up to %d levels (≤ 8), mean %.3f (≤ %.2f)", worst, mean, meanBound)
			}
		})
	}
}

func loadJPEG(t *testing.T, data []byte) *vips.ImageRef {
	t.Helper()
	img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// imageDiff fails t unless got and want have the same size and bands, and
// returns the largest and the mean absolute difference of their pixels.
func imageDiff(t *testing.T, got, want *vips.ImageRef) (worst int, mean float64) {
	t.Helper()
	if got.Width() != want.Width() || got.Height() != want.Height() || got.Bands() != want.Bands() {
		t.Fatalf("got %d×%d×%d, want %d×%d×%d", got.Width(), got.Height(), got.Bands(), want.Width(), want.Height(), want.Bands())
	}
	gb, err := got.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := want.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return pixelDiff(gb, wb)
}
