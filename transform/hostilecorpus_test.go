package transform_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform"
)

// The hostile corpus (hostile_test.go renders it), built deterministically
// here: no files to keep in sync.

// hostileCase is one hostile source and what it must get.
type hostileCase struct {
	name string
	src  []byte
	// code, when set, is the problem code the case must get.
	code string
	// specs, when set, are rendered on top of hostileSpecs.
	specs []transform.Spec
}

// hostileBase is a small deterministic photo-like gradient.
func hostileBase() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 4), uint8(y * 5), uint8(255 - x*2), 255})
		}
	}
	return img
}

// hostileFormats encodes the base image in every accepted source format.
func hostileFormats(t testing.TB) map[string][]byte {
	t.Helper()
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, hostileBase()); err != nil {
		t.Fatal(err)
	}
	img, err := vips.LoadImageFromBuffer(pngBuf.Bytes(), vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	out := map[string][]byte{"png": pngBuf.Bytes()}
	if out["jpeg"], err = exportJPEG(img); err != nil {
		t.Fatal(err)
	}
	if out["webp"], _, err = img.ExportWebp(vips.NewWebpExportParams()); err != nil {
		t.Fatal(err)
	}
	ap := vips.NewAvifExportParams()
	ap.Effort = 9
	if out["avif"], _, err = img.ExportAvif(ap); err != nil {
		t.Fatal(err)
	}
	if out["heic"], _, err = img.ExportHeif(vips.NewHeifExportParams()); err != nil {
		t.Fatal(err)
	}
	if out["tiff"], _, err = img.ExportTiff(vips.NewTiffExportParams()); err != nil {
		t.Fatal(err)
	}
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, hostileBase(), nil); err != nil {
		t.Fatal(err)
	}
	out["gif"] = gifBuf.Bytes()
	return out
}

func flip(b []byte, at ...int) []byte {
	c := append([]byte(nil), b...)
	for _, i := range at {
		if i >= 0 && i < len(c) {
			c[i] ^= 0xFF
		}
	}
	return c
}

// pngChunk appends one PNG chunk with its CRC.
func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// rawPNG writes a PNG by hand (Go's encoder has no 16-bit grey+alpha):
// rows are filter type 0 followed by row(y).
func rawPNG(t testing.TB, w, h int, depth, colourType byte, row func(y int) []byte) []byte {
	t.Helper()
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colourType, 0, 0, 0)
	b = pngChunk(b, "IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	for y := range h {
		zw.Write([]byte{0})
		zw.Write(row(y))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b = pngChunk(b, "IDAT", z.Bytes())
	return pngChunk(b, "IEND", nil)
}

// grey16AlphaPNG is 32×32 16-bit grey with a 16-bit alpha ramp.
func grey16AlphaPNG(t testing.TB) []byte {
	return rawPNG(t, 32, 32, 16, 4, func(y int) []byte {
		r := make([]byte, 0, 32*4)
		for x := range 32 {
			r = binary.BigEndian.AppendUint16(r, uint16(x*2000))
			r = binary.BigEndian.AppendUint16(r, uint16(65535-y*2000))
		}
		return r
	})
}

// stripPNG is a w×h 8-bit grey PNG (1×65535: a strip).
func stripPNG(t testing.TB, w, h int) []byte {
	return rawPNG(t, w, h, 8, 0, func(y int) []byte {
		r := make([]byte, w)
		for x := range r {
			r[x] = byte(x + y)
		}
		return r
	})
}

// manyFramesGIF is an animated GIF of n tiny frames.
func manyFramesGIF(t testing.TB, n int) []byte {
	a := &gif.GIF{}
	pal := color.Palette{color.RGBA{200, 30, 30, 255}, color.RGBA{30, 30, 200, 255}}
	for i := range n {
		f := image.NewPaletted(image.Rect(0, 0, 4, 4), pal)
		f.Pix[i%16] = 1
		a.Image = append(a.Image, f)
		a.Delay = append(a.Delay, 1)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombGIF is a real GIF whose screen and frame descriptors claim w×h.
func bombGIF(t testing.TB, w, h uint16) []byte {
	b := append([]byte(nil), hostileFormats(t)["gif"]...)
	binary.LittleEndian.PutUint16(b[6:8], w)
	binary.LittleEndian.PutUint16(b[8:10], h)
	// The first image descriptor (0x2C) after the global colour table.
	i := 13
	if b[10]&0x80 != 0 {
		i += 3 << (b[10]&7 + 1)
	}
	for i < len(b) && b[i] == 0x21 { // skip extensions
		i += 2
		for i < len(b) && b[i] != 0 {
			i += int(b[i]) + 1
		}
		i++
	}
	if b[i] != 0x2C {
		t.Fatalf("no image descriptor at %d", i)
	}
	binary.LittleEndian.PutUint16(b[i+5:i+7], w)
	binary.LittleEndian.PutUint16(b[i+7:i+9], h)
	return b
}

// bombWebP patches a lossy WebP's VP8 frame header to 16383×16383 (268 MP),
// the largest WebP allows. WebP has no checksum to fix.
func bombWebP(t testing.TB) []byte {
	b := append([]byte(nil), hostileFormats(t)["webp"]...)
	i := bytes.Index(b, []byte{0x9d, 0x01, 0x2a}) // VP8 key frame start code
	if i < 0 {
		t.Fatalf("not a lossy WebP: %q", b[12:16])
	}
	if string(b[12:16]) == "VP8X" { // extended: the canvas size too (24 bits, minus one)
		for _, off := range []int{24, 27} {
			b[off], b[off+1], b[off+2] = 0xFE, 0x3F, 0 // 16382 = 16383-1
		}
	}
	binary.LittleEndian.PutUint16(b[i+3:i+5], 16383)
	binary.LittleEndian.PutUint16(b[i+5:i+7], 16383)
	return b
}

// bombPNGSized is bombPNG with any IHDR size.
func bombPNGSized(t testing.TB, w, h uint32) []byte {
	b := bombPNG(t)
	binary.BigEndian.PutUint32(b[16:20], w)
	binary.BigEndian.PutUint32(b[20:24], h)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func zipTail(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("payload.html")
	w.Write([]byte("<script>alert(1)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const htmlTail = "<html><body><script>alert(document.domain)</script></body></html>"

// hostileCorpus is every case rendered in this process: broken and odd
// files whose cost stays small whatever the decoder does.
func hostileCorpus(t testing.TB, svgHref string) []hostileCase {
	formats := hostileFormats(t)
	var cs []hostileCase
	for _, f := range []string{"jpeg", "png", "webp", "avif", "heic", "gif", "tiff"} {
		b := formats[f]
		for _, cut := range []int{1, 4, 8, 12, 16, 24, 32, 64, len(b) / 4, len(b) / 2, len(b) * 3 / 4, len(b) - 16, len(b) - 2, len(b) - 1} {
			if cut > 0 && cut < len(b) {
				cs = append(cs, hostileCase{name: fmt.Sprintf("%s/truncated-at-%d", f, cut), src: b[:cut]})
			}
		}
		for _, at := range []int{0, 1, 2, 3, 4, 6, 8, 9, 12, 13, 16, 17, 20, 22, 24, 28, 33, 40} {
			cs = append(cs, hostileCase{name: fmt.Sprintf("%s/header-flip-%d", f, at), src: flip(b, at)})
		}
		for _, at := range []float64{0.3, 0.5, 0.7, 0.9} {
			i := int(float64(len(b)) * at)
			cs = append(cs, hostileCase{name: fmt.Sprintf("%s/data-flip-%d", f, i), src: flip(b, i, i+1, i+7)})
		}
		cs = append(cs, hostileCase{name: f + "/html-tail", src: append(append([]byte(nil), b...), htmlTail...)})
	}
	pngHead := formats["png"][:33] // signature + IHDR
	cs = append(cs,
		hostileCase{name: "zero-bytes", src: []byte{}, code: "empty_source"},
		hostileCase{name: "one-byte", src: []byte{0xFF}},
		hostileCase{name: "jpeg-soi-only", src: []byte{0xFF, 0xD8}},
		hostileCase{name: "jpeg-soi-eoi", src: []byte{0xFF, 0xD8, 0xFF, 0xD9}},
		hostileCase{name: "png-signature-only", src: []byte("\x89PNG\r\n\x1a\n")},
		hostileCase{name: "gif-with-zip-tail", src: append(append([]byte(nil), formats["gif"]...), zipTail(t)...)},
		hostileCase{name: "jpeg-with-zip-tail", src: append(append([]byte(nil), formats["jpeg"]...), zipTail(t)...)},
		hostileCase{name: "jpeg-with-html-tail", src: append(append([]byte(nil), formats["jpeg"]...), htmlTail...)},
		hostileCase{name: "png-prefix-then-text", src: append(append([]byte(nil), pngHead...), "this is plain text, not IDAT\n"...)},
		hostileCase{name: "gif-magic-then-html", src: []byte("GIF89a" + htmlTail)},
		hostileCase{name: "zip-only", src: zipTail(t), code: "unsupported_source"},
		hostileCase{name: "html", src: []byte(htmlTail), code: "unsupported_source"},
		hostileCase{name: "pdf", src: []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), code: "unsupported_source"},
		hostileCase{name: "svg-external-image", code: "unsupported_source",
			src: []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">` +
				`<image href="` + svgHref + `" xlink:href="` + svgHref + `" width="10" height="10"/></svg>`)},
		hostileCase{name: "svg-xml-prolog-external-image", code: "unsupported_source",
			src: []byte(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE svg [<!ENTITY x SYSTEM "` + svgHref + `">]>` +
				`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="` + svgHref + `"/>&x;</svg>`)},
		hostileCase{name: "grey16-alpha-png", src: grey16AlphaPNG(t)},
		hostileCase{name: "lab-tiff", src: labTIFF(t)},
		hostileCase{name: "cmyk-jpeg-rgb-profile", src: readTestdata(t, "fixtures", "cmyk-rgb-profile.jpg")},
		hostileCase{name: "cmyk-jpeg-untagged", src: readTestdata(t, "fixtures", "cmyk-untagged.jpg")},
	)
	// Magic numbers of accepted formats in front of an SVG (and an
	// ImageMagick MVG) naming the trap: whichever loader libvips picks, it
	// must not fetch.
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="` + svgHref + `"/></svg>`
	mvg := "push graphic-context\nviewbox 0 0 10 10\nimage over 0,0 10,10 '" + svgHref + "'\npop graphic-context\n"
	magics := map[string]string{
		"gif": "GIF89a", "jpeg": "\xff\xd8\xff\xe0", "png": "\x89PNG\r\n\x1a\n", "tiff-le": "II*\x00", "tiff-be": "MM\x00*",
		"heic": "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "mif1": "\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic",
		"avif": "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "webp": "RIFF\x40\x00\x00\x00WEBPVP8 ",
	}
	for _, name := range slices.Sorted(maps.Keys(magics)) {
		magic := magics[name]
		cs = append(cs,
			hostileCase{name: "magic-" + name + "-then-svg", src: []byte(magic + svg)},
			hostileCase{name: "magic-" + name + "-then-mvg", src: []byte(magic + mvg)})
	}
	return cs
}

func readTestdata(t testing.TB, rel ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, rel...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// labTIFF is the base image converted to CIELAB (float) and written as TIFF.
func labTIFF(t testing.TB) []byte {
	t.Helper()
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, hostileBase()); err != nil {
		t.Fatal(err)
	}
	img, err := vips.LoadImageFromBuffer(pngBuf.Bytes(), vips.NewImportParams())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.ToColorSpace(vips.InterpretationLAB); err != nil {
		t.Fatal(err)
	}
	b, _, err := img.ExportTiff(vips.NewTiffExportParams())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// heavyCorpus is the cases whose headers ask for lots of memory or work:
// they run in a child process whose peak RSS is measured.
func heavyCorpus(t testing.TB) []hostileCase {
	return []hostileCase{
		{name: "png-bomb-20000x20000", src: bombPNG(t), code: "image_too_large"},
		{name: "png-bomb-65535x65535", src: bombPNGSized(t, 65535, 65535), code: "image_too_large"},
		{name: "png-bomb-2^31-1", src: bombPNGSized(t, 1<<31-1, 1<<31-1)},
		{name: "png-bomb-7000x7000-under-limit", src: bombPNGSized(t, 7000, 7000)},
		{name: "gif-bomb-65535x65535", src: bombGIF(t, 65535, 65535)},
		{name: "webp-bomb-16383x16383", src: bombWebP(t)},
		{name: "jpeg-bomb-10000x10000", src: hugeJPEG(t), code: "image_too_large"},
		{name: "png-strip-1x65535", src: stripPNG(t, 1, 65535), specs: unboundedSpecs},
		{name: "png-strip-65535x1", src: stripPNG(t, 65535, 1), specs: unboundedSpecs},
		{name: "png-tall-20x2000", src: stripPNG(t, 20, 2000), specs: unboundedSpecs},
		{name: "gif-3000-frames", src: manyFramesGIF(t, 3000)},
	}
}
