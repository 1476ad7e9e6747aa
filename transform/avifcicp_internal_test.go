package transform

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// isoBox builds an ISOBMFF box.
func isoBox(name string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, name...), body...)
}

func TestTagAVIFsRGB(t *testing.T) {
	nclx := []byte("nclx\x00\x02\x00\x02\x00\x06\x80")
	icc := []byte("prof....")
	file := func(colr ...[]byte) []byte {
		var boxes [][]byte
		for _, c := range colr {
			boxes = append(boxes, isoBox("colr", c))
		}
		ipco := isoBox("ipco", append([][]byte{isoBox("ispe", make([]byte, 12))}, boxes...)...)
		return append(isoBox("ftyp", []byte("avif")), isoBox("meta", []byte{0, 0, 0, 0}, isoBox("hdlr", make([]byte, 8)), isoBox("iprp", ipco))...)
	}
	f := file(icc, nclx)
	n := len(f)
	if tag := ColourTag(f); tag != "" {
		t.Errorf("untagged nclx (2/2): ColourTag %q, want none", tag)
	}
	if err := tagAVIFsRGB(f); err != nil {
		t.Fatal(err)
	}
	if tag := ColourTag(f); tag != CICPsRGB {
		t.Errorf("tagged: ColourTag %q, want %q", tag, CICPsRGB)
	}
	at := bytes.Index(f, []byte("nclx"))
	if got := f[at+4 : at+11]; !bytes.Equal(got, []byte{0, 1, 0, 13, 0, 6, 0x80}) || len(f) != n {
		t.Errorf("tagged nclx % x (len %d → %d), want 00 01 00 0d 00 06 80, same length", got, n, len(f))
	}
	for name, bad := range map[string][]byte{
		"no nclx":        file(icc),
		"truncated":      file(nclx)[:30],
		"empty":          nil,
		"oversized box":  append([]byte{0xff, 0xff, 0xff, 0xff}, "meta"...),
		"short 64-bit":   append([]byte{0, 0, 0, 1}, "meta"...),
		"short nclx box": file([]byte("nclx\x00\x02")),
	} {
		if err := tagAVIFsRGB(bad); err == nil {
			t.Errorf("%s: tagged without error", name)
		}
	}
}
