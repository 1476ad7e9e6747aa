package colour

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// Profile returns a compact ICC v2.1 display ('mntr') profile for space: a
// matrix/TRC RGB→XYZ profile with the tags a v2 display profile requires
// (desc, cprt, wtpt, r/g/bXYZ, r/g/bTRC) and nothing else. The three TRC
// tags share one curve. The output is deterministic: a fixed creation date
// and no profile ID, so equal arguments give equal bytes and equal cache keys.
//
// The media white is written as D50, as ICC v4 and lcms do for display
// profiles: the colorants are already adapted to D50, so relative and
// absolute colorimetric agree and no 'chad' tag is needed.
func Profile(space RGBSpace, description string) []byte {
	cols := space.linearToXYZ(iccD50)
	trc := curveTag(space.Transfer)
	tags := []struct {
		sig  string
		data []byte
	}{
		{"desc", textDescriptionTag(description)},
		{"cprt", textTag(profileCopyright)},
		{"wtpt", xyzTag(iccD50)},
		{"rXYZ", xyzTag(XYZ{cols[0][0], cols[1][0], cols[2][0]})},
		{"gXYZ", xyzTag(XYZ{cols[0][1], cols[1][1], cols[2][1]})},
		{"bXYZ", xyzTag(XYZ{cols[0][2], cols[1][2], cols[2][2]})},
		{"rTRC", trc},
		{"gTRC", trc},
		{"bTRC", trc},
	}

	be := binary.BigEndian
	tableEnd := iccHeaderSize + 4 + 12*len(tags)
	out := make([]byte, tableEnd, 1024)
	be.PutUint32(out[iccHeaderSize:], uint32(len(tags)))
	// Tags with identical data share one copy; equal TRCs are the point.
	written := map[string]uint32{}
	for i, t := range tags {
		off, ok := written[string(t.data)]
		if !ok {
			off = uint32(len(out))
			written[string(t.data)] = off
			out = append(out, t.data...)
			out = pad4(out)
		}
		e := out[iccHeaderSize+4+12*i:]
		copy(e[0:4], t.sig)
		be.PutUint32(e[4:], off)
		be.PutUint32(e[8:], uint32(len(t.data)))
	}

	h := out[:iccHeaderSize]
	be.PutUint32(h[0:], uint32(len(out)))
	// h[4:8] preferred CMM: none.
	be.PutUint32(h[8:], 0x02100000)
	copy(h[12:], "mntr")
	copy(h[16:], "RGB ")
	copy(h[20:], "XYZ ")
	for i, v := range profileDate {
		be.PutUint16(h[24+2*i:], v)
	}
	copy(h[36:], "acsp")
	// h[40:64]: platform, flags, manufacturer, model, attributes: all zero.
	// h[64:68] rendering intent: perceptual (0).
	putXYZ(h[68:], iccD50)
	// h[80:84] creator, h[84:100] profile ID (reserved in v2): zero.
	return out
}

const (
	iccHeaderSize    = 128
	profileCopyright = "CC0"
	// sRGBCurvePoints samples the sRGB curve in the v2 'curv' table (v2 has
	// no parametric curves). 256 points keep the whole sRGB and P3 profiles
	// under 1 KB; with lcms' linear interpolation the round trip error is
	// ≤ 0.03 of an 8-bit step, the same as a 1024-point table: the uint16
	// quantisation near black dominates from about 180 points up.
	sRGBCurvePoints = 256
)

// profileDate is the fixed creation date (year, month, day, h, m, s).
var profileDate = [6]uint16{2025, 1, 1, 0, 0, 0}

// SRGBProfile is the compact sRGB profile.
func SRGBProfile() []byte { return Profile(SRGB, "sRGB (edgeshelf compact)") }

// DisplayP3Profile is the compact Display P3 profile.
func DisplayP3Profile() []byte { return Profile(DisplayP3, "Display P3 (edgeshelf compact)") }

// AdobeRGBProfile is the compact Adobe RGB (1998) compatible profile.
func AdobeRGBProfile() []byte {
	return Profile(AdobeRGB, "Adobe RGB (1998) compatible (edgeshelf compact)")
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// s15Fixed16 encodes v as the ICC signed 15.16 fixed-point number.
func s15Fixed16(v float64) uint32 { return uint32(int32(math.Round(v * 65536))) }

func putXYZ(b []byte, c XYZ) {
	binary.BigEndian.PutUint32(b[0:], s15Fixed16(c.X))
	binary.BigEndian.PutUint32(b[4:], s15Fixed16(c.Y))
	binary.BigEndian.PutUint32(b[8:], s15Fixed16(c.Z))
}

// xyzTag is an XYZType holding one XYZNumber.
func xyzTag(c XYZ) []byte {
	b := make([]byte, 20)
	copy(b, "XYZ ")
	putXYZ(b[8:], c)
	return b
}

// textTag is a textType: NUL-terminated 7-bit ASCII.
func textTag(s string) []byte {
	b := make([]byte, 8, 8+len(s)+1)
	copy(b, "text")
	b = append(b, asciiOnly(s)...)
	return append(b, 0)
}

// textDescriptionTag is the v2 textDescriptionType. The ASCII description is
// mandatory; a description that is not pure ASCII is also written in the
// Unicode field, which readers prefer, so it survives a round trip.
func textDescriptionTag(s string) []byte {
	be := binary.BigEndian
	ascii := asciiOnly(s)
	b := make([]byte, 12, 12+len(ascii)+1+8+3+67)
	copy(b, "desc")
	be.PutUint32(b[8:], uint32(len(ascii)+1))
	b = append(b, ascii...)
	b = append(b, 0)
	var u []uint16
	if string(ascii) != s {
		u = append(utf16.Encode([]rune(s)), 0)
	}
	b = be.AppendUint32(b, 0) // Unicode language code: unspecified
	b = be.AppendUint32(b, uint32(len(u)))
	for _, c := range u {
		b = be.AppendUint16(b, c)
	}
	// ScriptCode code (2), count (1) and its fixed 67-byte field: unused.
	return append(b, make([]byte, 2+1+67)...)
}

func asciiOnly(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return b
}

// curveTag is a curveType: one u8Fixed8 gamma for a pure power law, else a
// table sampling the sRGB curve at evenly spaced inputs.
func curveTag(t Transfer) []byte {
	be := binary.BigEndian
	b := make([]byte, 12, 12+2*sRGBCurvePoints)
	copy(b, "curv")
	if t.Kind == TransferGamma {
		g := math.Round(t.Gamma * 256)
		if math.IsNaN(g) {
			g = 256 // linear; a NaN gamma is a caller's bug, not a reason to panic
		}
		g = math.Max(1, math.Min(g, math.MaxUint16))
		be.PutUint32(b[8:], 1)
		return be.AppendUint16(b, uint16(g))
	}
	be.PutUint32(b[8:], sRGBCurvePoints)
	for i := range sRGBCurvePoints {
		v := t.ToLinear(float64(i) / (sRGBCurvePoints - 1))
		b = be.AppendUint16(b, uint16(math.Round(v*math.MaxUint16)))
	}
	return b
}
