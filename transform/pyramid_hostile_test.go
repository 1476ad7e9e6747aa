package transform_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
)

// TestPyramidExtremeAspect: strips too thin to halve (a 1×65535 PNG, a
// 4×60000 JPEG) build their levels without libvips aborting the process on
// a side shrunk to nothing, and each level keeps at least one pixel.
func TestPyramidExtremeAspect(t *testing.T) {
	r, err := transform.New(defaultConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	strip := func(w, h int) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = byte(i)
		}
		return img
	}
	var pngStrip, jpegStrip bytes.Buffer
	if err := png.Encode(&pngStrip, strip(1, 65535)); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpegStrip, strip(4, 60000), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string][]byte{"png 1×65535": pngStrip.Bytes(), "jpeg 4×60000": jpegStrip.Bytes()} {
		pyr, err := r.BuildPyramid(context.Background(), src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(pyr.Levels) == 0 {
			t.Errorf("%s: no levels", name)
		}
		for _, l := range pyr.Levels {
			if l.Width < 1 || l.Height < 1 || len(l.Data) == 0 {
				t.Errorf("%s: level %d×%d, %d bytes", name, l.Width, l.Height, len(l.Data))
			}
		}
	}
}
