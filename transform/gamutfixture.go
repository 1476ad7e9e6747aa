package transform

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// WideGamutSource builds a w×h Display P3 PNG for tests of the gamut
// decision: a mid-grey photo whose first `outside` pixels (row by row) are
// Display P3's pure red, far outside sRGB (ΔE2000 ≈ 8 from the nearest sRGB
// red). PNG keeps every value exact, so the share outside sRGB is exactly
// outside/(w×h).
func WideGamutSource(w, h, outside int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		c := color.NRGBA{128, 128, 128, 255}
		if i < outside {
			c = color.NRGBA{255, 0, 0, 255}
		}
		img.SetNRGBA(i%w, i/w, c)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return TagPNG(buf.Bytes(), colour.DisplayP3Profile())
}

// TagPNG embeds an ICC profile in a PNG (an iCCP chunk after IHDR) without
// touching its pixels: the values are then read as that profile's, which
// is how a wide-gamut test photo is made from values chosen in Go.
func TagPNG(src, icc []byte) ([]byte, error) {
	const sigLen, ihdrLen = 8, 8 + 13 + 4
	if len(src) < sigLen+ihdrLen || string(src[sigLen+4:sigLen+8]) != "IHDR" {
		return nil, errors.New("TagPNG: not a PNG starting with IHDR")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(icc); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	data := append([]byte("ICC\x00\x00"), z.Bytes()...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iCCP"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	at := sigLen + ihdrLen
	out := append([]byte{}, src[:at]...)
	out = append(out, chunk...)
	return append(out, src[at:]...), nil
}
