package transform_test

// How the fixture set (fixtures_test.go) is built and read back.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// gen holds the profile files libvips reads by path while building.
type gen struct {
	srgb string
	tmp  []string
}

func (g *gen) profile(icc []byte) (string, error) {
	p, err := transform.WriteProfile(icc)
	if err != nil {
		return "", err
	}
	g.tmp = append(g.tmp, p)
	return p, nil
}

func (g *gen) close() {
	for _, p := range g.tmp {
		_ = os.Remove(p)
	}
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}

// fromGo hands a Go image to libvips (through a lossless PNG).
func fromGo(img image.Image) (*vips.ImageRef, error) {
	b, err := encodePNG(img)
	if err != nil {
		return nil, err
	}
	return vips.LoadImageFromBuffer(b, vips.NewImportParams())
}

func exportJPEG(img *vips.ImageRef) ([]byte, error) {
	p := vips.NewJpegExportParams()
	p.Quality = 90
	p.Interlace = false
	p.OptimizeCoding = true
	p.StripMetadata = false // keep the orientation tag and the profile
	b, _, err := img.ExportJpeg(p)
	return b, err
}

// orientedJPEG stores the marker image pre-transformed by the inverse of o,
// tagged with o, so that a correct auto-orientation shows the marker image.
func (g *gen) orientedJPEG(o int) ([]byte, error) {
	img, err := fromGo(orient(markerImage(), inverseOrientation(o)))
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.SetOrientation(o); err != nil {
		return nil, err
	}
	return exportJPEG(img)
}

// chartIn converts the sRGB chart to the profile's space with libvips (our
// compact sRGB profile as the source) and embeds the profile. format is
// jpeg, png (8-bit) or png16.
func (g *gen) chartIn(icc []byte, format string) ([]byte, error) {
	target, err := g.profile(icc)
	if err != nil {
		return nil, err
	}
	src := srgbChart()
	if format == "png16" {
		// A 16-bit source makes libvips transform at 16 bits: no banding
		// in ProPhoto's wide, gamma 1.8 encoding.
		src = chartImage(func(i int) color.Color { return chartColours[i] }, color.NRGBA64Model)
	}
	img, err := fromGo(src)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.TransformICCProfileWithFallback(target, g.srgb); err != nil {
		return nil, err
	}
	if format == "jpeg" {
		return exportJPEG(img)
	}
	p := vips.NewPngExportParams()
	p.Compression = 9
	b, _, err := img.ExportPng(p)
	return b, err
}

func greyChart8() image.Image {
	return chartImage(func(i int) color.Color { return color.Gray{chartGreys[i]} }, color.GrayModel)
}

func greyChart16() image.Image {
	return chartImage(func(i int) color.Color { return color.Gray16{uint16(chartGreys[i])*257 + 100} }, color.Gray16Model)
}

func (g *gen) greyJPEG() ([]byte, error) {
	img, err := fromGo(greyChart8())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return exportJPEG(img)
}

// cmykJPEG converts the sRGB chart to libvips' built-in CMYK profile and
// writes the CMYK pixels untagged.
func (g *gen) cmykJPEG() ([]byte, error) {
	img, err := fromGo(srgbChart())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.TransformICCProfileWithFallback("cmyk", g.srgb); err != nil {
		return nil, err
	}
	if img.Interpretation() != vips.InterpretationCMYK || img.Bands() != 4 {
		return nil, fmt.Errorf("cmyk: got %d bands, interpretation %v", img.Bands(), img.Interpretation())
	}
	if err := img.RemoveICCProfile(); err != nil {
		return nil, err
	}
	return exportJPEG(img)
}

// untaggedCMYKWith is the untagged CMYK JPEG with icc embedded: the same
// compressed pixels, only APP2 segments added.
func untaggedCMYKWith(icc []byte) ([]byte, error) {
	untagged, err := os.ReadFile(filepath.Join(fixtureDir, "cmyk-untagged.jpg"))
	if err != nil {
		return nil, err
	}
	return replaceJPEGICC(untagged, icc)
}

var builtinCMYK = sync.OnceValues(func() ([]byte, error) {
	img, err := fromGo(tinyImage())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.TransformICCProfileWithFallback("cmyk", "srgb"); err != nil {
		return nil, err
	}
	return img.GetICCProfile(), nil
})

// taggedCMYK is the untagged CMYK JPEG with libvips' built-in CMYK profile
// embedded, as libvips itself would write it.
func taggedCMYK() ([]byte, error) {
	icc, err := builtinCMYK()
	if err != nil {
		return nil, err
	}
	return untaggedCMYKWith(icc)
}

// replaceJPEGICC drops every ICC_PROFILE APP2 segment and, when icc is not
// nil, puts icc (in as many segments as it takes) where the first one was,
// or right after SOI.
func replaceJPEGICC(b, icc []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, fmt.Errorf("not a JPEG")
	}
	const chunk = 65535 - 2 - 14 // segment length field, "ICC_PROFILE\0", seq, count
	n := (len(icc) + chunk - 1) / chunk
	if n > 255 {
		return nil, fmt.Errorf("a %d byte profile needs more than 255 segments", len(icc))
	}
	var segs []byte
	for i := range n {
		part := icc[i*chunk : min((i+1)*chunk, len(icc))]
		segs = append(segs, 0xFF, 0xE2)
		segs = binary.BigEndian.AppendUint16(segs, uint16(2+14+len(part)))
		segs = append(segs, "ICC_PROFILE\x00"...)
		segs = append(segs, byte(i+1), byte(n))
		segs = append(segs, part...)
	}
	var out []byte
	placed := false
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF && b[i+1] != 0xDA {
		end := i + 2 + int(binary.BigEndian.Uint16(b[i+2:i+4]))
		if end > len(b) {
			return nil, fmt.Errorf("truncated JPEG segment")
		}
		if b[i+1] == 0xE2 && bytes.HasPrefix(b[i+4:end], []byte("ICC_PROFILE\x00")) {
			if !placed {
				out = append(out, segs...)
				placed = true
			}
		} else {
			out = append(out, b[i:end]...)
		}
		i = end
	}
	if !placed {
		out = append(segs, out...)
	}
	return append(append([]byte{0xFF, 0xD8}, out...), b[i:]...), nil
}

// heif writes the marker image as stored pixels with EXIF orientation 6 and
// no container rotation: libvips 8.14 writes the tag into the EXIF block
// and never an irot box.
func (g *gen) heif(av1 bool) ([]byte, error) {
	img, err := fromGo(markerImage())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.SetOrientation(6); err != nil {
		return nil, err
	}
	if av1 {
		p := vips.NewAvifExportParams()
		p.Quality = 90
		p.Effort = 4
		b, _, err := img.ExportAvif(p)
		return b, err
	}
	p := vips.NewHeifExportParams()
	p.Quality = 90
	b, _, err := img.ExportHeif(p)
	return b, err
}

// animatedGIF has three frames of different solid colours; only the first
// may be rendered.
func animatedGIF() ([]byte, error) {
	a := &gif.GIF{LoopCount: 0}
	for _, c := range gifFrameColours {
		f := image.NewPaletted(image.Rect(0, 0, 32, 32), color.Palette{c, color.RGBA{0, 0, 0, 255}})
		// Index 0 everywhere: the frame is solid c.
		a.Image = append(a.Image, f)
		a.Delay = append(a.Delay, 20)
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, a)
	return buf.Bytes(), err
}

func tinyImage() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	img.SetNRGBA(0, 0, tinyColour)
	return img
}

// panorama is a 20:1 strip with a horizontal colour ramp.
func (g *gen) panorama() ([]byte, error) {
	src := image.NewNRGBA(image.Rect(0, 0, panoramaW, panoH))
	for y := range panoH {
		for x := range panoramaW {
			t := float64(x) / (panoramaW - 1)
			src.SetNRGBA(x, y, color.NRGBA{uint8(30 + 200*t), uint8(80 + 40*float64(y)/(panoH-1)), uint8(220 - 180*t), 255})
		}
	}
	img, err := fromGo(src)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return exportJPEG(img)
}

// writeFixtures rebuilds the whole set (in table order: the derived CMYK
// files read the tagged one back).
func writeFixtures() error {
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		return err
	}
	g := &gen{}
	defer g.close()
	srgb, err := g.profile(colour.SRGBProfile())
	if err != nil {
		return err
	}
	g.srgb = srgb
	for _, f := range fixtures {
		if f.build == nil {
			continue
		}
		b, err := f.build(g)
		if err != nil {
			return fmt.Errorf("%s: %w", f.File, err)
		}
		if err := os.WriteFile(filepath.Join(fixtureDir, f.File), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var (
	fixturesOnce sync.Once
	fixturesErr  error
)

// ensureFixtures rebuilds the set once per run under UPDATE_GOLDEN=1, so
// the golden test never renders stale fixtures, whichever test runs first.
func ensureFixtures(t *testing.T) {
	t.Helper()
	if !updateGolden() {
		return
	}
	fixturesOnce.Do(func() { fixturesErr = writeFixtures() })
	if fixturesErr != nil {
		t.Fatal(fixturesErr)
	}
}

func readFixture(t *testing.T, f fixture) []byte {
	t.Helper()
	if f.derive != nil {
		b, err := f.derive()
		if err != nil {
			t.Fatalf("%s: %v (build the set with UPDATE_GOLDEN=1 go test ./transform/ -run 'Golden|Fixture')", f.Name, err)
		}
		return b
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, f.File))
	if err != nil {
		t.Fatalf("%s: %v (build the set with UPDATE_GOLDEN=1 go test ./transform/ -run 'Golden|Fixture')", f.File, err)
	}
	return b
}
