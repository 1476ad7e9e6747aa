package peers

import (
	"bytes"
	"encoding/binary"
)

// ICCBytes is how many of an image's bytes carry an embedded ICC profile
// (with their container framing): edgeshelf embeds a compact sRGB profile
// in every variant, imgproxy strips it by default, so the report shows the
// bytes both with and without it.
func ICCBytes(b []byte) int {
	format, _, _, err := Dimensions(b)
	if err != nil {
		return 0
	}
	switch format {
	case "jpg":
		return jpegICC(b)
	case "webp":
		return webpICC(b)
	default:
		return avifICC(b)
	}
}

// jpegICC sums the APP2 ICC_PROFILE segments before the scan.
func jpegICC(b []byte) int {
	n := 0
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker, size := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if marker == 0xDA { // start of scan: no more metadata
			break
		}
		if marker == 0xE2 && bytes.HasPrefix(b[i+4:], []byte("ICC_PROFILE\x00")) {
			n += size + 2
		}
		i += size + 2
	}
	return n
}

// webpICC is the ICCP chunk's size (header and padding included).
func webpICC(b []byte) int {
	for i := 12; i+8 <= len(b); {
		size := int(binary.LittleEndian.Uint32(b[i+4:]))
		total := 8 + size + size&1
		if string(b[i:i+4]) == "ICCP" {
			return total
		}
		i += total
	}
	return 0
}

// avifICC is the size of the 'colr' property box of type 'prof'.
func avifICC(b []byte) int {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte("colrprof"))
		if i < 0 {
			return 0
		}
		i += off
		if i >= 4 {
			return int(binary.BigEndian.Uint32(b[i-4:]))
		}
		off = i + 1
	}
}
