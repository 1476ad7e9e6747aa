package fidelity_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform/fidelity"
)

// demoCrop is a 384×384 crop of a demo photo (decoded in Go: this package
// does not need libvips), as interleaved RGB.
func demoCrop(t *testing.T) *image.RGBA {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(image.Rect(0, 0, 384, 384))
	draw.Draw(out, out.Bounds(), src, image.Pt(400, 400), draw.Src)
	return out
}

func plane(t *testing.T, img *image.RGBA) fidelity.Plane {
	t.Helper()
	b := img.Bounds()
	p, err := fidelity.Lightness(img.Pix, b.Dx(), b.Dy(), 4)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func jpegAt(t *testing.T, img *image.RGBA, q int) *image.RGBA {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), dec, image.Point{}, draw.Src)
	return out
}

// boxBlur3 is a 3×3 box blur: the softness of a bad resampler.
func boxBlur3(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			for c := range 3 {
				sum, n := 0, 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx < 0 || yy < 0 || xx >= b.Dx() || yy >= b.Dy() {
							continue
						}
						sum += int(img.Pix[img.PixOffset(xx, yy)+c])
						n++
					}
				}
				out.Pix[out.PixOffset(x, y)+c] = uint8(sum / n)
			}
			out.Pix[out.PixOffset(x, y)+3] = 255
		}
	}
	return out
}

func TestIdenticalIsPerfect(t *testing.T) {
	p := plane(t, demoCrop(t))
	s, err := fidelity.Score(p, p)
	if err != nil {
		t.Fatal(err)
	}
	if s < 0.999999 || fidelity.DSSIM(s) > 1e-6 {
		t.Errorf("identical images score %.6f (DSSIM %.2g), want 1 (0)", s, fidelity.DSSIM(s))
	}
}

func TestDegradationsScoreWorse(t *testing.T) {
	img := demoCrop(t)
	ref := fidelity.NewReference(plane(t, img))
	score := func(d *image.RGBA) float64 {
		s, err := ref.Score(plane(t, d))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := score(jpegAt(t, img, 95))
	blurred := score(boxBlur3(img))
	q20 := score(jpegAt(t, img, 20))
	t.Logf("MS-SSIM: jpeg q95 %.4f, 3×3 blur %.4f, jpeg q20 %.4f", good, blurred, q20)
	if good < 0.99 {
		t.Errorf("JPEG q95 scores %.4f, want ≥ 0.99", good)
	}
	for name, s := range map[string]float64{"3×3 blur": blurred, "JPEG q20": q20} {
		if fidelity.DSSIM(s) < 3*fidelity.DSSIM(good) {
			t.Errorf("%s: DSSIM %.4f, want at least 3× JPEG q95's %.4f", name, fidelity.DSSIM(s), fidelity.DSSIM(good))
		}
	}
}

func TestMonotoneInJPEGQuality(t *testing.T) {
	img := demoCrop(t)
	ref := fidelity.NewReference(plane(t, img))
	prev := 0.0
	for _, q := range []int{20, 35, 50, 65, 80, 95} {
		s, err := ref.Score(plane(t, jpegAt(t, img, q)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("q%d: MS-SSIM %.5f", q, s)
		if s <= prev {
			t.Errorf("q%d scores %.5f, not above the lower quality's %.5f", q, s, prev)
		}
		prev = s
	}
}

func TestSizeMismatchAndTinyImages(t *testing.T) {
	a, _ := fidelity.Lightness([]byte{10, 20, 30}, 1, 1, 3)
	b, _ := fidelity.Lightness([]byte{10, 20, 30, 40, 50, 60}, 2, 1, 3)
	if _, err := fidelity.Score(a, b); err == nil {
		t.Error("images of different sizes were scored")
	}
	if s, err := fidelity.Score(a, a); err != nil || s < 0.999999 {
		t.Errorf("a 1×1 image against itself: %v, %v", s, err)
	}
	if _, err := fidelity.Lightness([]byte{1, 2}, 1, 1, 3); err == nil {
		t.Error("a short buffer was accepted")
	}
}
