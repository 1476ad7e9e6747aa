package transform

import (
	"encoding/binary"
	"errors"
)

// embedWebPICC adds an ICCP chunk to a WebP file. govips' WebP export always
// tells libvips to embed no profile unless its own sRGB profile was chosen,
// so the profile is written into the RIFF container here: the VP8X header
// chunk gets its ICC flag (it is created for a simple-format file), and the
// ICCP chunk follows it, as the container spec orders them.
func embedWebPICC(webp, icc []byte, width, height int) ([]byte, error) {
	if len(webp) < 20 || string(webp[0:4]) != "RIFF" || string(webp[8:12]) != "WEBP" {
		return nil, errors.New("webp: not a RIFF WEBP file")
	}
	const iccFlag, alphaFlag = 0x20, 0x10
	body := webp[12:]
	first := string(body[0:4])
	iccp := chunk("ICCP", icc)
	var out []byte
	switch first {
	case "VP8X":
		if len(body) < 18 {
			return nil, errors.New("webp: truncated VP8X chunk")
		}
		vp8x := append([]byte(nil), body[:18]...)
		vp8x[8] |= iccFlag
		out = append(append(vp8x, iccp...), body[18:]...)
	case "VP8 ", "VP8L":
		var flags byte = iccFlag
		// A lossless bitstream says whether it uses alpha in its header.
		if first == "VP8L" && len(body) >= 13 && body[12]&0x10 != 0 {
			flags |= alphaFlag
		}
		payload := make([]byte, 10)
		payload[0] = flags
		putUint24(payload[4:7], uint32(width-1))
		putUint24(payload[7:10], uint32(height-1))
		out = append(append(chunk("VP8X", payload), iccp...), body...)
	default:
		return nil, errors.New("webp: unknown first chunk " + first)
	}
	riff := make([]byte, 12, 12+len(out))
	copy(riff, "RIFF")
	binary.LittleEndian.PutUint32(riff[4:8], uint32(4+len(out)))
	copy(riff[8:12], "WEBP")
	return append(riff, out...), nil
}

func chunk(fourCC string, payload []byte) []byte {
	c := make([]byte, 8, 8+len(payload)+1)
	copy(c, fourCC)
	binary.LittleEndian.PutUint32(c[4:8], uint32(len(payload)))
	c = append(c, payload...)
	if len(payload)%2 == 1 {
		c = append(c, 0) // chunks are padded to an even size
	}
	return c
}

func putUint24(b []byte, v uint32) {
	b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16)
}
