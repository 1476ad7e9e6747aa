package colour

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// ErrMalformedProfile is wrapped by every error ParseHeader and
// ProfileDescription return for bytes that are not a usable ICC profile.
var ErrMalformedProfile = errors.New("colour: malformed ICC profile")

// Header is the part of an ICC profile header the pipeline and its tests
// care about, plus the tag table.
type Header struct {
	Size        uint32 // profile size in bytes, equal to the input length
	CMM         string // preferred CMM signature, "" when unset
	Version     uint32 // e.g. 0x02100000 for 2.1.0, 0x04300000 for 4.3.0
	Class       string // device class: "mntr", "scnr", "prtr", "link", "spac", "abst", "nmcl"
	ColourSpace string // data colour space, e.g. "RGB ", "CMYK", "GRAY"
	PCS         string // "XYZ " or "Lab " (a colour space for device links)
	Illuminant  XYZ    // PCS illuminant, D50 in practice
	Tags        []Tag
}

// MajorVersion is the profile's major version, 2 or 4.
func (h Header) MajorVersion() int { return int(h.Version >> 24) }

// Tag is one entry of the tag table: where a tag's data lies in the profile.
type Tag struct {
	Sig          string
	Offset, Size uint32
}

var profileClasses = map[string]bool{
	"scnr": true, "mntr": true, "prtr": true, "link": true,
	"spac": true, "abst": true, "nmcl": true,
}

// ParseHeader parses and checks an ICC profile's header and tag table: the
// size field must equal len(icc), the 'acsp' signature must be present, the
// version must be 2.x or 4.x, the class known, and every tag must lie after
// the tag table and inside the profile. It never panics.
func ParseHeader(icc []byte) (Header, error) {
	be := binary.BigEndian
	if len(icc) < iccHeaderSize+4 {
		return Header{}, malformed("%d bytes is shorter than a header and tag count", len(icc))
	}
	h := Header{
		Size:        be.Uint32(icc[0:]),
		CMM:         strings.TrimRight(string(icc[4:8]), "\x00"),
		Version:     be.Uint32(icc[8:]),
		Class:       string(icc[12:16]),
		ColourSpace: string(icc[16:20]),
		PCS:         string(icc[20:24]),
		Illuminant:  readXYZNumber(icc[68:80]),
	}
	if uint64(h.Size) != uint64(len(icc)) {
		return Header{}, malformed("size field says %d bytes, have %d", h.Size, len(icc))
	}
	if string(icc[36:40]) != "acsp" {
		return Header{}, malformed("no 'acsp' signature")
	}
	if v := h.MajorVersion(); v != 2 && v != 4 {
		return Header{}, malformed("unsupported version %#08x", h.Version)
	}
	if !profileClasses[h.Class] {
		return Header{}, malformed("unknown device class %q", h.Class)
	}
	if !isSignature(icc[16:20]) {
		return Header{}, malformed("bad colour space signature %q", h.ColourSpace)
	}
	if h.Class != "link" && h.PCS != "XYZ " && h.PCS != "Lab " {
		return Header{}, malformed("PCS %q is neither XYZ nor Lab", h.PCS)
	}

	n := uint64(be.Uint32(icc[iccHeaderSize:]))
	tableEnd := uint64(iccHeaderSize+4) + 12*n
	if tableEnd > uint64(len(icc)) {
		return Header{}, malformed("tag table of %d entries runs past the end", n)
	}
	h.Tags = make([]Tag, n)
	for i := range h.Tags {
		e := icc[iccHeaderSize+4+12*i:]
		t := Tag{Sig: string(e[0:4]), Offset: be.Uint32(e[4:]), Size: be.Uint32(e[8:])}
		if uint64(t.Offset) < tableEnd || uint64(t.Offset)+uint64(t.Size) > uint64(len(icc)) {
			return Header{}, malformed("tag %q at %d+%d lies outside the tag data", t.Sig, t.Offset, t.Size)
		}
		h.Tags[i] = t
	}
	return h, nil
}

// ProfileDescription returns the profile's description: its 'desc' tag, as
// a v2 textDescriptionType (the Unicode form when present, else the ASCII
// one), a v4 multiLocalizedUnicodeType (en-US, else any English, else the
// first record) or, as some writers do, a plain textType. It never panics.
func ProfileDescription(icc []byte) (string, error) {
	h, err := ParseHeader(icc)
	if err != nil {
		return "", err
	}
	for _, t := range h.Tags {
		if t.Sig == "desc" {
			return parseDescription(icc[t.Offset : t.Offset+t.Size])
		}
	}
	return "", malformed("no 'desc' tag")
}

func parseDescription(d []byte) (string, error) {
	if len(d) < 8 {
		return "", malformed("desc tag of %d bytes", len(d))
	}
	switch string(d[0:4]) {
	case "desc":
		return parseTextDescription(d)
	case "mluc":
		return parseMultiLocalized(d)
	case "text":
		return latin1(d[8:]), nil
	}
	return "", malformed("desc tag has unsupported type %q", d[0:4])
}

func parseTextDescription(d []byte) (string, error) {
	be := binary.BigEndian
	if len(d) < 12 {
		return "", malformed("textDescriptionType of %d bytes", len(d))
	}
	n := uint64(be.Uint32(d[8:]))
	asciiEnd := 12 + n
	if asciiEnd > uint64(len(d)) {
		return "", malformed("textDescriptionType ASCII count %d runs past the tag", n)
	}
	ascii := latin1(d[12:asciiEnd])
	// The Unicode part is optional in practice and often mangled by old
	// writers: use it only when it is present, complete and not empty.
	rest := d[asciiEnd:]
	if len(rest) >= 8 {
		units := uint64(be.Uint32(rest[4:]))
		if units > 0 && 8+2*units <= uint64(len(rest)) {
			if s := utf16BE(rest[8 : 8+2*units]); s != "" {
				return s, nil
			}
		}
	}
	return ascii, nil
}

func parseMultiLocalized(d []byte) (string, error) {
	be := binary.BigEndian
	if len(d) < 16 {
		return "", malformed("multiLocalizedUnicodeType of %d bytes", len(d))
	}
	n, recSize := uint64(be.Uint32(d[8:])), uint64(be.Uint32(d[12:]))
	if n == 0 {
		return "", malformed("multiLocalizedUnicodeType without records")
	}
	if recSize < 12 || 16+n*recSize > uint64(len(d)) {
		return "", malformed("multiLocalizedUnicodeType records run past the tag")
	}
	best, bestRank := uint64(0), 3
	for i := range n {
		r := d[16+i*recSize:]
		rank := 2
		switch {
		case string(r[0:4]) == "enUS":
			rank = 0
		case string(r[0:2]) == "en":
			rank = 1
		}
		if rank < bestRank {
			best, bestRank = i, rank
		}
	}
	r := d[16+best*recSize:]
	size, off := uint64(be.Uint32(r[4:])), uint64(be.Uint32(r[8:]))
	if off+size > uint64(len(d)) || size%2 != 0 {
		return "", malformed("multiLocalizedUnicodeType string at %d+%d is out of bounds", off, size)
	}
	return utf16BE(d[off : off+size]), nil
}

// utf16BE decodes big-endian UTF-16, stopping at the first NUL.
func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.BigEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// latin1 decodes a NUL-terminated byte string; the ICC "ASCII" fields are
// meant to be 7-bit, but Mac-era profiles put Latin-1 there.
func latin1(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func readXYZNumber(b []byte) XYZ {
	f := func(o int) float64 { return float64(int32(binary.BigEndian.Uint32(b[o:]))) / 65536 }
	return XYZ{f(0), f(4), f(8)}
}

// isSignature reports whether b is four printable ASCII bytes.
func isSignature(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedProfile, fmt.Sprintf(format, args...))
}
