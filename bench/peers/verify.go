package peers

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/jpeg"
)

// Check says what is wrong with body as variant v's response ("" when
// nothing): its format read from the bytes themselves and its dimensions
// from the format's header. A server that answered fast with the wrong
// image has not rendered the variant.
func Check(v Variant, body []byte) error {
	format, w, h, err := Dimensions(body)
	if err != nil {
		return err
	}
	if format != v.Format {
		return fmt.Errorf("format %s, want %s", format, v.Format)
	}
	ww, wh := v.Want()
	if w != ww || h < wh-1 || h > wh+1 {
		return fmt.Errorf("%dx%d, want %dx%d", w, h, ww, wh)
	}
	return nil
}

// Dimensions reads an image's format (jpg, webp or avif) and size from its
// header.
func Dimensions(b []byte) (format string, width, height int, err error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		return "jpg", cfg.Width, cfg.Height, err
	case len(b) >= 30 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		w, h, err := webpSize(b)
		return "webp", w, h, err
	case len(b) >= 12 && string(b[4:8]) == "ftyp" && (string(b[8:12]) == "avif" || string(b[8:12]) == "avis"):
		w, h, err := avifSize(b)
		return "avif", w, h, err
	}
	return "", 0, 0, errors.New("not a JPEG, WebP or AVIF")
}

// webpSize reads the first chunk: VP8X (extended), VP8L (lossless) or VP8.
func webpSize(b []byte) (int, int, error) {
	chunk := string(b[12:16])
	switch chunk {
	case "VP8X":
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, nil
	case "VP8L":
		bits := binary.LittleEndian.Uint32(b[21:25])
		return int(bits&0x3FFF) + 1, int(bits>>14&0x3FFF) + 1, nil
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, errors.New("webp: bad VP8 start code")
		}
		return int(binary.LittleEndian.Uint16(b[26:28]) & 0x3FFF), int(binary.LittleEndian.Uint16(b[28:30]) & 0x3FFF), nil
	}
	return 0, 0, fmt.Errorf("webp: unknown first chunk %q", chunk)
}

// avifSize reads the primary image's spatial extent ('ispe' property: full
// box header, then 32-bit width and height). Both servers write one image
// item, so the first ispe is the image's.
func avifSize(b []byte) (int, int, error) {
	i := bytes.Index(b, []byte("ispe"))
	if i < 0 || i+16 > len(b) {
		return 0, 0, errors.New("avif: no ispe property")
	}
	return int(binary.BigEndian.Uint32(b[i+8:])), int(binary.BigEndian.Uint32(b[i+12:])), nil
}
