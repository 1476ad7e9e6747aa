package transform

import (
	"encoding/binary"
	"errors"
)

// sRGB AVIF variants are tagged the way AV1 signals colour, with CICP code
// points in the container's nclx box (colour primaries 1 = BT.709/sRGB,
// transfer 13 = the sRGB curve), instead of an embedded ICC profile. Our
// compact sRGB profile is 972 bytes: a quarter to a third of a 200 px AVIF
// thumbnail, a share no encoder quality can shrink. Browsers read nclx
// natively; libvips reads the untagged pixels as sRGB, which is what the
// QA measurement of the served bytes assumes. Display P3 variants keep
// their ICC profile: libvips 8.14 ignores nclx on load, so a P3 nclx tag
// would be read back as sRGB.
//
// libheif 1.15 writes an nclx box whenever the image has no ICC profile,
// with primaries and transfer "unspecified" (2); tagAVIFsRGB names them.

// CICP code points (ITU-T H.273).
const (
	cicpPrimariesBT709 = 1
	cicpTransferSRGB   = 13
)

var errNoNCLX = errors.New("avif: no nclx colour box to tag")

// avifAsCICP reports whether an AVIF of this look is tagged by CICP rather
// than by an ICC profile.
func avifAsCICP(look Look) bool { return look.Space != DisplayP3 }

// SRGB_PROFILE's values: how sRGB JPEG, PNG and WebP variants are tagged.
const (
	SRGBProfileEmbed = "embed"
	SRGBProfileOmit  = "omit"
)

// tagAVIFsRGB sets the nclx box of an AVIF (meta/iprp/ipco/colr) to sRGB
// primaries and transfer, in place: the box keeps its size, so no offset in
// the file moves.
func tagAVIFsRGB(data []byte) error {
	path := []string{"meta", "iprp", "ipco"}
	body := data
	for _, name := range path {
		b, ok := findBox(body, name)
		if !ok {
			return errNoNCLX
		}
		if name == "meta" { // a full box: version and flags come first
			if len(b) < 4 {
				return errNoNCLX
			}
			b = b[4:]
		}
		body = b
	}
	for rest := body; ; {
		colr, next, ok := nextBox(rest, "colr")
		if !ok {
			return errNoNCLX
		}
		// colour_type, then primaries, transfer, matrix (16 bits each).
		if len(colr) >= 10 && string(colr[:4]) == "nclx" {
			binary.BigEndian.PutUint16(colr[4:6], cicpPrimariesBT709)
			binary.BigEndian.PutUint16(colr[6:8], cicpTransferSRGB)
			return nil
		}
		rest = next
	}
}

// CICPsRGB is how ColourTag names an AVIF tagged sRGB by CICP.
const CICPsRGB = "CICP BT.709/sRGB"

// ColourTag names the CICP colour tag of an AVIF variant (CICPsRGB), or ""
// when it has none we wrote: the operator console shows it where other
// variants show their ICC profile's description.
func ColourTag(data []byte) string {
	meta, ok := findBox(data, "meta")
	if !ok || len(meta) < 4 {
		return ""
	}
	iprp, ok := findBox(meta[4:], "iprp")
	if !ok {
		return ""
	}
	ipco, ok := findBox(iprp, "ipco")
	if !ok {
		return ""
	}
	for rest := ipco; ; {
		colr, next, ok := nextBox(rest, "colr")
		if !ok {
			return ""
		}
		if len(colr) >= 10 && string(colr[:4]) == "nclx" &&
			binary.BigEndian.Uint16(colr[4:6]) == cicpPrimariesBT709 && binary.BigEndian.Uint16(colr[6:8]) == cicpTransferSRGB {
			return CICPsRGB
		}
		rest = next
	}
}

// findBox returns the payload of the first box called name among the boxes
// laid end to end in b.
func findBox(b []byte, name string) ([]byte, bool) {
	payload, _, ok := nextBox(b, name)
	return payload, ok
}

// nextBox returns the payload of the first box called name in b and the
// bytes after that box. Boxes with a 64-bit size or "to the end" size are
// handled; a malformed size ends the walk.
func nextBox(b []byte, name string) (payload, rest []byte, ok bool) {
	for len(b) >= 8 {
		size := uint64(binary.BigEndian.Uint32(b[:4]))
		typ := string(b[4:8])
		header := uint64(8)
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return nil, nil, false
			}
			size, header = binary.BigEndian.Uint64(b[8:16]), 16
		}
		if size < header || size > uint64(len(b)) {
			return nil, nil, false
		}
		if typ == name {
			return b[header:size], b[size:], true
		}
		b = b[size:]
	}
	return nil, nil, false
}
