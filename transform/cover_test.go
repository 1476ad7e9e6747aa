package transform_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

var coverGravities = []string{"centre", "south-east", "west", "attention", "entropy"}

// TestCoverExactSize: fit=cover fills its box exactly when it may enlarge,
// thin strips included (a 3000×3 strip used to come out a few pixels
// short, after building an enlarged strip hundreds of thousands of pixels
// wide); without enlarge it is the box or the source's size on an axis the
// source does not reach.
func TestCoverExactSize(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	sources := [][2]int{{3000, 3}, {3, 3000}, {1000, 1}, {1, 1000}, {4000, 7}, {64, 48}, {1200, 1200}}
	boxes := [][2]int{{400, 400}, {100, 800}, {800, 100}, {16, 16}}
	for _, dims := range sources {
		for _, format := range []string{"png", "jpeg"} {
			src := stripSource(t, dims[0], dims[1], format)
			for _, box := range boxes {
				for _, g := range coverGravities {
					for _, enlarge := range []bool{true, false} {
						spec := transform.Spec{Width: box[0], Height: box[1], Fit: transform.Cover, Gravity: g, Enlarge: enlarge, Format: transform.PNG}
						name := fmt.Sprintf("%dx%d.%s/%dx%d/%s/enlarge=%v", dims[0], dims[1], format, box[0], box[1], g, enlarge)
						res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec})
						if err != nil {
							t.Errorf("%s: %v", name, err)
							continue
						}
						ew, eh := expectedSize(dims, spec)
						if enlarge && (ew != box[0] || eh != box[1]) {
							t.Fatalf("%s: expectedSize says %d×%d for an enlarging cover", name, ew, eh)
						}
						if res.Width != ew || res.Height != eh {
							t.Errorf("%s: rendered %d×%d, want %d×%d", name, res.Width, res.Height, ew, eh)
						}
					}
				}
			}
		}
	}
}

// TestCoverGravity: a compass gravity keeps the named edge of the axis the
// crop cuts, whether the cover shrinks or enlarges the source.
func TestCoverGravity(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	red, grey, green := color.NRGBA{220, 30, 30, 255}, color.NRGBA{128, 128, 128, 255}, color.NRGBA{30, 200, 60, 255}
	// Thirds along the long axis: red at the low end, green at the high.
	wide := thirdsPNG(t, 600, 200, true, red, grey, green)
	tall := thirdsPNG(t, 200, 600, false, red, grey, green)
	cases := []struct {
		src     []byte
		gravity string
		want    color.NRGBA
	}{
		{wide, "west", red}, {wide, "east", green}, {wide, "centre", grey},
		{wide, "north-west", red}, {wide, "south-east", green}, {wide, "north", grey},
		{tall, "north", red}, {tall, "south", green}, {tall, "centre", grey},
		{tall, "north-east", red}, {tall, "south-west", green}, {tall, "east", grey},
	}
	for _, c := range cases {
		for _, box := range []int{60, 180} { // shrinks the short side, enlarges it
			spec := transform.Spec{Width: box, Height: box, Fit: transform.Cover, Gravity: c.gravity, Enlarge: true, Format: transform.PNG}
			res, err := r.Render(context.Background(), transform.Request{Source: c.src, Spec: spec})
			if err != nil {
				t.Fatal(err)
			}
			px, err := transform.Decode(res.Data, cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := transform.MeasureRect(px, [4]float64{0.25, 0.25, 0.5, 0.5})
			want := colour.SRGBToLab(c.want.R, c.want.G, c.want.B)
			if de := colour.DeltaE2000(got, want); de > 3 || res.Width != box || res.Height != box {
				t.Errorf("%s at %d px: %d×%d showing Lab %.0f/%.0f/%.0f, want %d×%d showing %v (ΔE2000 %.1f)",
					c.gravity, box, res.Width, res.Height, got.L, got.A, got.B, box, box, c.want, de)
			}
		}
	}
}

// stripSource is a w×h gradient in the given format.
func stripSource(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if format == "png" {
		return b.Bytes()
	}
	ref, err := vips.LoadImageFromBuffer(b.Bytes(), vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	out, _, err := ref.ExportJpeg(vips.NewJpegExportParams())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// thirdsPNG is a w×h PNG in three bands of colour along x (alongX) or y.
func thirdsPNG(t *testing.T, w, h int, alongX bool, c ...color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := 3 * y / h
			if alongX {
				i = 3 * x / w
			}
			img.SetNRGBA(x, y, c[i])
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
