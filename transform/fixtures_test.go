package transform_test

// The fixture set behind the golden tests: small, deterministic sources that
// each exercise one way an original can go wrong (EXIF orientation, an
// embedded wide-gamut or CMYK profile, alpha, 16 bits, animation, HEIF's own
// orientation, extreme shapes). The files are committed under
// testdata/fixtures at the repository root and rebuilt only with
// UPDATE_GOLDEN=1:
//
//	UPDATE_GOLDEN=1 go test ./transform/ -run 'Golden|Fixture'
//
// Everything is drawn in Go from constants; libvips only encodes and, for
// the colour fixtures, converts the sRGB chart with our own profiles (or its
// built-in CMYK one), so a fixture does not depend on the pipeline it tests.

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

var (
	fixtureDir = filepath.Join("..", "testdata", "fixtures")
	goldenDir  = filepath.Join("..", "testdata", "golden")
)

// updateGolden says whether fixtures and goldens are to be rewritten.
func updateGolden() bool { return os.Getenv("UPDATE_GOLDEN") == "1" }

// Marker layout: a 48×32 displayed image, mid-grey, with a red block at the
// top-left and a green one at the top-right. The blocks are large enough to
// survive a 16×16 centre cover crop (which keeps source x 8..40).
const markerW, markerH = 48, 32

var (
	markerGrey  = color.NRGBA{128, 128, 128, 255}
	markerRed   = color.NRGBA{220, 30, 30, 255}
	markerGreen = color.NRGBA{30, 170, 40, 255}
	// Marker rects as fractions of the displayed image (x, y, w, h).
	redRect   = [4]float64{0, 0, 20.0 / markerW, 14.0 / markerH}
	greenRect = [4]float64{28.0 / markerW, 0, 20.0 / markerW, 14.0 / markerH}
	// The bottom corners stay grey: a vertical flip shows there.
	bottomLeftRect  = [4]float64{0, 18.0 / markerH, 20.0 / markerW, 14.0 / markerH}
	bottomRightRect = [4]float64{28.0 / markerW, 18.0 / markerH, 20.0 / markerW, 14.0 / markerH}
)

func markerImage() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, markerW, markerH))
	for y := range markerH {
		for x := range markerW {
			c := markerGrey
			switch {
			case y < 14 && x < 20:
				c = markerRed
			case y < 14 && x >= 28:
				c = markerGreen
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// orient applies EXIF orientation o (1-8) to a stored image, giving what a
// viewer displays: 2 mirrors, 3 rotates 180°, 4 flips, 5 transposes, 6
// rotates 90° clockwise, 7 transverses, 8 rotates 90° anticlockwise.
func orient(src image.Image, o int) *image.NRGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			default:
				sx, sy = x, y
			}
			dst.Set(x, y, src.At(b.Min.X+sx, b.Min.Y+sy))
		}
	}
	return dst
}

// inverseOrientation is the orientation that undoes o: every one is its own
// inverse but the two quarter turns.
func inverseOrientation(o int) int {
	switch o {
	case 6:
		return 8
	case 8:
		return 6
	}
	return o
}

// Chart layout: 64×48, 4×3 patches of 16×16 (aligned to JPEG blocks and
// MCUs, and still 8×8 at the 32 px variant), 6 saturated and 6 muted sRGB
// colours, all inside sRGB so a round trip through a wider space needs no
// clipping.
const chartW, chartH, chartCols, chartRows = 64, 48, 4, 3

var chartColours = []color.NRGBA{
	{214, 40, 40, 255}, {240, 140, 20, 255}, {235, 215, 40, 255}, {40, 170, 70, 255},
	{40, 70, 200, 255}, {190, 50, 160, 255}, {200, 160, 130, 255}, {120, 130, 80, 255},
	{90, 110, 130, 255}, {150, 90, 80, 255}, {160, 150, 180, 255}, {128, 128, 128, 255},
}

// chartGreys are the grey charts' levels (8-bit; the 16-bit chart adds an
// offset so its values are not multiples of 257).
var chartGreys = []uint8{20, 40, 64, 90, 110, 128, 150, 170, 190, 210, 230, 245}

// patchRect is patch i of a chart as fractions (x, y, w, h).
func patchRect(i int) [4]float64 {
	c, r := i%chartCols, i/chartCols
	return [4]float64{float64(c) / chartCols, float64(r) / chartRows, 1.0 / chartCols, 1.0 / chartRows}
}

func chartImage(colourOf func(i int) color.Color, model color.Model) image.Image {
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	r := image.Rect(0, 0, chartW, chartH)
	switch model {
	case color.GrayModel:
		img = image.NewGray(r)
	case color.Gray16Model:
		img = image.NewGray16(r)
	case color.NRGBA64Model:
		img = image.NewNRGBA64(r)
	default:
		img = image.NewNRGBA(r)
	}
	pw, ph := chartW/chartCols, chartH/chartRows
	for y := range chartH {
		for x := range chartW {
			img.Set(x, y, colourOf((y/ph)*chartCols+x/pw))
		}
	}
	return img
}

func srgbChart() image.Image {
	return chartImage(func(i int) color.Color { return chartColours[i] }, color.NRGBAModel)
}

// Alpha layout (48×32): opaque blue on the left third, half-transparent red
// in the middle, fully transparent (black underneath) on the right.
var (
	alphaOpaque     = color.NRGBA{40, 90, 200, 255}
	alphaSemi       = color.NRGBA{200, 40, 40, 128}
	alphaOpaqueRect = [4]float64{0, 0, 16.0 / 48, 1}
	alphaSemiRect   = [4]float64{16.0 / 48, 0, 16.0 / 48, 1}
	alphaClearRect  = [4]float64{32.0 / 48, 0, 16.0 / 48, 1}
	semiAlpha16     = uint16(32768) // 50 %: 127.5 at 8 bits
	gifFrameColours = []color.RGBA{{220, 30, 30, 255}, {30, 170, 40, 255}, {40, 70, 200, 255}}
	tinyColour      = color.NRGBA{200, 100, 50, 255}
)

// The panorama is 20:1.
const panoramaW, panoH = 1000, 50

func alphaImage(sixteen bool) image.Image {
	r := image.Rect(0, 0, 48, 32)
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	if sixteen {
		img = image.NewNRGBA64(r)
	} else {
		img = image.NewNRGBA(r)
	}
	for y := range 32 {
		for x := range 48 {
			var c color.Color
			switch {
			case x < 16:
				c = alphaOpaque
			case x < 32:
				c = alphaSemi
				if sixteen {
					c = color.NRGBA64{200 * 257, 40 * 257, 40 * 257, semiAlpha16}
				}
			default:
				c = color.NRGBA{0, 0, 0, 0}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// chartRef says in which space a chart fixture's stored pixels are, for
// the reference that reads them without colour management.
type chartRef struct {
	Space colour.RGBSpace
	Grey  bool // a grey chart: untagged, taken as sRGB grey
}

// fixture is one file of the set and what a correct render of it shows.
type fixture struct {
	Name  string // golden file prefix
	File  string // under testdata/fixtures
	build func(g *gen) ([]byte, error)
	// derive makes a fixture that is not committed from committed ones.
	derive func() ([]byte, error)
	// Display is the oriented size: what a viewer shows, and what the
	// variants are computed from.
	Display [2]int
	// Orientation is the EXIF orientation tag the file carries (0: none).
	Orientation int
	// Markers: red top-left and green top-right once rendered.
	Markers bool
	Chart   *chartRef
	// CMYK charts are compared with each other and with the vips CLI.
	CMYK  bool
	Alpha bool
	// Alpha16 is the 16-bit alpha fixture (semi-transparent must survive).
	Alpha16 bool
	// Solid is the colour the whole render must show (GIF frame 1, 1×1).
	Solid *color.RGBA
}

var fixtures = func() []fixture {
	var fs []fixture
	for o := 1; o <= 8; o++ {
		fs = append(fs, fixture{
			Name: fmt.Sprintf("orient-%d", o), File: fmt.Sprintf("orient-%d.jpg", o),
			build:   func(g *gen) ([]byte, error) { return g.orientedJPEG(o) },
			Display: [2]int{markerW, markerH}, Orientation: o, Markers: true,
		})
	}
	chart := [2]int{chartW, chartH}
	fs = append(fs,
		fixture{Name: "adobe-rgb-jpg", File: "adobe-rgb.jpg", Display: chart, Chart: &chartRef{Space: colour.AdobeRGB},
			build: func(g *gen) ([]byte, error) { return g.chartIn(colour.AdobeRGBProfile(), "jpeg") }},
		fixture{Name: "adobe-rgb-png", File: "adobe-rgb.png", Display: chart, Chart: &chartRef{Space: colour.AdobeRGB},
			build: func(g *gen) ([]byte, error) { return g.chartIn(colour.AdobeRGBProfile(), "png") }},
		fixture{Name: "display-p3-jpg", File: "display-p3.jpg", Display: chart, Chart: &chartRef{Space: colour.DisplayP3},
			build: func(g *gen) ([]byte, error) { return g.chartIn(colour.DisplayP3Profile(), "jpeg") }},
		fixture{Name: "prophoto-16-png", File: "prophoto-16.png", Display: chart, Chart: &chartRef{Space: colour.ProPhoto},
			build: func(g *gen) ([]byte, error) {
				return g.chartIn(colour.Profile(colour.ProPhoto, "ProPhoto RGB (edgeshelf compact)"), "png16")
			}},
		fixture{Name: "grey-jpg", File: "grey.jpg", Display: chart, Chart: &chartRef{Space: colour.SRGB, Grey: true},
			build: func(g *gen) ([]byte, error) { return g.greyJPEG() }},
		fixture{Name: "grey-16-png", File: "grey-16.png", Display: chart, Chart: &chartRef{Space: colour.SRGB, Grey: true},
			build: func(g *gen) ([]byte, error) { return encodePNG(greyChart16()) }},
		// The three CMYK files hold the same compressed pixels; only their
		// APP2 (ICC) segments differ. The tagged one is assembled when the
		// tests run, from the untagged file and libvips' built-in CMYK
		// profile: that profile alone is 940 KiB, too big to commit.
		fixture{Name: "cmyk-untagged", File: "cmyk-untagged.jpg", Display: chart, CMYK: true,
			build: func(g *gen) ([]byte, error) { return g.cmykJPEG() }},
		fixture{Name: "cmyk-tagged", Display: chart, CMYK: true, derive: taggedCMYK},
		fixture{Name: "cmyk-rgb-profile", File: "cmyk-rgb-profile.jpg", Display: chart, CMYK: true,
			build: func(*gen) ([]byte, error) { return untaggedCMYKWith(colour.SRGBProfile()) }},
		fixture{Name: "alpha-png", File: "alpha.png", Display: [2]int{48, 32}, Alpha: true,
			build: func(g *gen) ([]byte, error) { return encodePNG(alphaImage(false)) }},
		fixture{Name: "alpha-16-png", File: "alpha-16.png", Display: [2]int{48, 32}, Alpha: true, Alpha16: true,
			build: func(g *gen) ([]byte, error) { return encodePNG(alphaImage(true)) }},
		fixture{Name: "animated-gif", File: "animated.gif", Display: [2]int{32, 32}, Solid: &gifFrameColours[0],
			build: func(g *gen) ([]byte, error) { return animatedGIF() }},
		// HEIF and AVIF carry EXIF orientation 6 but no irot box: the
		// stored pixels are already as displayed, so the marker must stay
		// put. Per HEIF (ISO/IEC 23008-12) the container's transformative
		// properties (irot, imir, clap) are authoritative and the EXIF tag
		// is informational; libheif applies irot itself while decoding, so
		// orienting again from the EXIF tag rotates twice and a phone photo
		// (irot 270° + EXIF 6) comes out sideways: the libvips 8.14 trap in
		// DESIGN.md. This machine's libvips 8.14.1 heifload already drops
		// the tag it reads (vips_autorot_remove_angle); load.go does not
		// rely on that (no autorotate, tag removed, HEIF size unswapped),
		// and these fixtures hold both to it.
		fixture{Name: "heic-exif6", File: "exif6.heic", Display: [2]int{markerW, markerH}, Orientation: 6, Markers: true,
			build: func(g *gen) ([]byte, error) { return g.heif(false) }},
		fixture{Name: "avif-exif6", File: "exif6.avif", Display: [2]int{markerW, markerH}, Orientation: 6, Markers: true,
			build: func(g *gen) ([]byte, error) { return g.heif(true) }},
		fixture{Name: "tiny-1x1", File: "tiny-1x1.png", Display: [2]int{1, 1}, Solid: &color.RGBA{tinyColour.R, tinyColour.G, tinyColour.B, 255},
			build: func(g *gen) ([]byte, error) { return encodePNG(tinyImage()) }},
		fixture{Name: "panorama", File: "panorama.jpg", Display: [2]int{panoramaW, panoH},
			build: func(g *gen) ([]byte, error) { return g.panorama() }},
	)
	return fs
}()
