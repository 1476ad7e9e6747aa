package transform

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
)

// TestResizeAndCropMatchThumbnail: scaleToBox then cropToBox (the resize
// and crop steps) stand in for libvips' vips_thumbnail_image on decoded
// images, so they must give the same geometry and, but for liborc's
// rounding, the same pixels at every box, fit and crop they take over.
func TestResizeAndCropMatchThumbnail(t *testing.T) {
	sources := []struct {
		name string
		w, h int
		grey bool
	}{
		{"750x500", 750, 500, false},
		{"333x777", 333, 777, false},
		{"64x48", 64, 48, false},
		{"1x300", 1, 300, false},
		{"300x200-grey", 300, 200, true},
	}
	boxes := [][2]int{{400, 4096}, {4096, 400}, {200, 200}, {100, 50}, {1000, 1000}, {16, 16}, {1, 1}}
	modes := []struct {
		crop vips.Interesting
		size vips.Size
	}{
		{vips.InterestingNone, vips.SizeDown},
		{vips.InterestingNone, vips.SizeBoth},
		{vips.InterestingNone, vips.SizeForce},
		{vips.InterestingCentre, vips.SizeDown},
		{vips.InterestingCentre, vips.SizeBoth},
		{vips.InterestingLow, vips.SizeDown},
		{vips.InterestingHigh, vips.SizeBoth},
	}
	for _, src := range sources {
		data := patternPNG(t, src.w, src.h, src.grey)
		for _, dims := range boxes {
			for _, m := range modes {
				if m.crop != vips.InterestingNone && m.size != vips.SizeDown && coverArea(src.w, src.h, dims) > 4e6 {
					continue // the pipeline crops before enlarging that far (plan, enlargeCover)
				}
				name := fmt.Sprintf("%s/%dx%d/crop%d/size%d", src.name, dims[0], dims[1], m.crop, m.size)
				t.Run(name, func(t *testing.T) {
					want := loadPNG(t, data)
					defer want.Close()
					if err := want.ThumbnailWithSize(dims[0], dims[1], m.crop, m.size); err != nil {
						t.Fatal(err)
					}
					got := loadPNG(t, data)
					defer got.Close()
					b := box{w: dims[0], h: dims[1], crop: m.crop, size: m.size}
					if err := scaleToBox(got, b); err != nil {
						t.Fatal(err)
					}
					if err := cropToBox(got, b); err != nil {
						t.Fatal(err)
					}
					if worst, mean := imageDiff(t, got, want); worst > maxRoundingDiff || mean > maxMeanRoundingDiff {
						t.Fatalf("pixels differ from libvips' thumbnail by up to %d levels (mean %.3f): more than rounding", worst, mean)
					}
				})
			}
		}
	}
}

// coverArea is the pixel count of a w×h image scaled to cover a box.
func coverArea(w, h int, box [2]int) float64 {
	s := max(float64(box[0])/float64(w), float64(box[1])/float64(h))
	return float64(w) * s * float64(h) * s
}

// patternPNG is a w×h PNG with detail on both axes, so a misplaced resize
// or crop changes pixels.
func patternPNG(t *testing.T, w, h int, grey bool) []byte {
	t.Helper()
	var img image.Image
	if grey {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				g.SetGray(x, y, color.Gray{uint8(x*7 ^ y*13)})
			}
		}
		img = g
	} else {
		c := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				c.SetNRGBA(x, y, color.NRGBA{uint8(x * 3), uint8(y * 5), uint8(x*7 ^ y*11), 255})
			}
		}
		// Opaque NRGBA encodes as RGB: no alpha band.
		img = c
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func loadPNG(t *testing.T, data []byte) *vips.ImageRef {
	t.Helper()
	img, err := vips.LoadImageFromBuffer(data, vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	if img.HasAlpha() || img.BandFormat() != vips.BandFormatUchar {
		t.Fatalf("test image has alpha %v, format %v: scaleToBox would not take it", img.HasAlpha(), img.BandFormat())
	}
	return img
}

// The resize runs a downscale's horizontal pass as a vertical one (see
// lanczos3): libvips' liborc code for that pass keeps fewer bits than its C
// code, as it already does for every vertical pass. On this test's
// one-pixel stripes (the worst case) that moves pixels by up to 10 levels,
// 0.6 on average; on a photo by up to 6, under 0.1 on average (TestLanczos3). Nothing
// else may differ: sizes, crops and bands are exact.
const (
	maxRoundingDiff     = 12
	maxMeanRoundingDiff = 0.75
)

// pixelDiff is the largest and the mean absolute difference of two equally
// long pixel buffers.
func pixelDiff(a, b []byte) (worst int, mean float64) {
	var sum int
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		worst = max(worst, d)
		sum += d
	}
	return worst, float64(sum) / float64(max(len(a), 1))
}
