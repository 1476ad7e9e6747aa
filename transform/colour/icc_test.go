package colour

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"unicode/utf16"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

var be = binary.BigEndian

var predefinedProfiles = []struct {
	name    string
	icc     func() []byte
	desc    string
	maxSize int
}{
	{"sRGB", SRGBProfile, "sRGB (edgeshelf compact)", 1024},
	{"DisplayP3", DisplayP3Profile, "Display P3 (edgeshelf compact)", 1024},
	{"AdobeRGB", AdobeRGBProfile, "Adobe RGB (1998) compatible (edgeshelf compact)", 1024},
	{"ProPhoto", func() []byte { return Profile(ProPhoto, "ProPhoto") }, "ProPhoto", 1024},
}

func TestProfileStructure(t *testing.T) {
	for _, p := range predefinedProfiles {
		t.Run(p.name, func(t *testing.T) {
			icc := p.icc()
			if len(icc) > p.maxSize || len(icc)%4 != 0 {
				t.Errorf("size %d: want ≤ %d and a multiple of 4", len(icc), p.maxSize)
			}
			h, err := ParseHeader(icc)
			if err != nil {
				t.Fatal(err)
			}
			if int(h.Size) != len(icc) || int(be.Uint32(icc)) != len(icc) {
				t.Errorf("size field %d, len %d", h.Size, len(icc))
			}
			if h.Version != 0x02100000 || h.Class != "mntr" || h.ColourSpace != "RGB " || h.PCS != "XYZ " || h.CMM != "" {
				t.Errorf("header = %+v", h)
			}
			if string(icc[36:40]) != "acsp" || be.Uint32(icc[64:]) != 0 {
				t.Errorf("magic %q, intent %d", icc[36:40], be.Uint32(icc[64:]))
			}
			if !bytes.Equal(icc[68:80], []byte{0, 0, 0xf6, 0xd6, 0, 1, 0, 0, 0, 0, 0xd3, 0x2d}) {
				t.Errorf("illuminant bytes % x, want the ICC D50 encoding", icc[68:80])
			}
			if !bytes.Equal(icc[84:128], make([]byte, 44)) {
				t.Errorf("profile ID / reserved bytes not zero")
			}
			if y := be.Uint16(icc[24:]); y != 2025 {
				t.Errorf("creation year %d", y)
			}

			tags := map[string]Tag{}
			for _, tg := range h.Tags {
				if tg.Offset%4 != 0 {
					t.Errorf("tag %s at unaligned offset %d", tg.Sig, tg.Offset)
				}
				if int(tg.Offset+tg.Size) > len(icc) {
					t.Errorf("tag %s ends past the profile", tg.Sig)
				}
				tags[tg.Sig] = tg
			}
			for _, sig := range []string{"desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"} {
				if _, ok := tags[sig]; !ok {
					t.Errorf("missing tag %s", sig)
				}
			}
			if len(tags) != 9 {
				t.Errorf("%d tags, want 9", len(tags))
			}
			if tags["rTRC"] != (Tag{"rTRC", tags["gTRC"].Offset, tags["gTRC"].Size}) ||
				tags["gTRC"].Offset != tags["bTRC"].Offset {
				t.Errorf("TRC tags do not share data: %v %v %v", tags["rTRC"], tags["gTRC"], tags["bTRC"])
			}

			tagData := func(sig string) []byte { tg := tags[sig]; return icc[tg.Offset : tg.Offset+tg.Size] }
			xyz := func(sig string) XYZ {
				d := tagData(sig)
				if string(d[:4]) != "XYZ " || len(d) != 20 {
					t.Fatalf("%s is %q of %d bytes", sig, d[:4], len(d))
				}
				return readXYZNumber(d[8:])
			}
			r, g, b, w := xyz("rXYZ"), xyz("gXYZ"), xyz("bXYZ"), xyz("wtpt")
			sum := XYZ{r.X + g.X + b.X, r.Y + g.Y + b.Y, r.Z + g.Z + b.Z}
			const lsb = 2.0 / 65536
			if math.Abs(sum.X-w.X) > lsb || math.Abs(sum.Y-w.Y) > lsb || math.Abs(sum.Z-w.Z) > lsb {
				t.Errorf("colorants sum to %v, white is %v", sum, w)
			}
			if math.Abs(w.X-0.9642) > 1e-4 || w.Y != 1 || math.Abs(w.Z-0.8249) > 1e-4 {
				t.Errorf("wtpt %v, want D50", w)
			}
			if d := tagData("cprt"); string(d[:4]) != "text" || string(d[8:]) != "CC0\x00" {
				t.Errorf("cprt = %q", d)
			}
		})
	}
}

func TestProfileColorantsMatchSpace(t *testing.T) {
	icc := DisplayP3Profile()
	h, _ := ParseHeader(icc)
	for _, tg := range h.Tags {
		if tg.Sig != "rXYZ" {
			continue
		}
		got := readXYZNumber(icc[tg.Offset+8:])
		want := DisplayP3.ToXYZD50(1, 0, 0) // ASTM D50; the profile uses ICC D50, a 3e-4 difference
		if DeltaE76(XYZD50ToLab(got), XYZD50ToLab(want)) > 0.1 {
			t.Errorf("P3 rXYZ = %v, space says %v", got, want)
		}
	}
}

func TestProfileCurves(t *testing.T) {
	curve := func(icc []byte) []byte {
		h, err := ParseHeader(icc)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range h.Tags {
			if tg.Sig == "rTRC" {
				return icc[tg.Offset : tg.Offset+tg.Size]
			}
		}
		t.Fatal("no rTRC")
		return nil
	}
	if c := curve(AdobeRGBProfile()); string(c[:4]) != "curv" || be.Uint32(c[8:]) != 1 || be.Uint16(c[12:]) != 563 {
		t.Errorf("Adobe RGB curve = % x, want gamma 563/256", c)
	}
	if c := curve(Profile(ProPhoto, "p")); be.Uint32(c[8:]) != 1 || be.Uint16(c[12:]) != 461 {
		t.Errorf("ProPhoto curve = % x, want gamma 1.8 as 461/256", c)
	}
	c := curve(SRGBProfile())
	n := int(be.Uint32(c[8:]))
	if string(c[:4]) != "curv" || n < 2 || len(c) != 12+2*n {
		t.Fatalf("sRGB curve header % x, %d bytes", c[:12], len(c))
	}
	tr := SRGBTransfer()
	for i := range n {
		got := float64(be.Uint16(c[12+2*i:])) / 65535
		if want := tr.ToLinear(float64(i) / float64(n-1)); math.Abs(got-want) > 0.5/65535 {
			t.Fatalf("entry %d = %v, want %v", i, got, want)
		}
	}
}

func TestProfileDeterministic(t *testing.T) {
	for _, p := range predefinedProfiles {
		if !bytes.Equal(p.icc(), p.icc()) {
			t.Errorf("%s: two calls differ", p.name)
		}
	}
	if bytes.Equal(SRGBProfile(), DisplayP3Profile()) {
		t.Error("sRGB and P3 profiles are equal")
	}
}

func TestProfileDescriptionRoundTrip(t *testing.T) {
	for _, p := range predefinedProfiles {
		got, err := ProfileDescription(p.icc())
		if err != nil || got != p.desc {
			t.Errorf("%s: ProfileDescription = %q, %v; want %q", p.name, got, err, p.desc)
		}
	}
	for _, d := range []string{"", "x", "Écran P3 — Wrocław ✓", "palette 🎨 (astral plane)"} {
		icc := Profile(SRGB, d)
		if _, err := ParseHeader(icc); err != nil {
			t.Fatalf("%q: %v", d, err)
		}
		if got, err := ProfileDescription(icc); err != nil || got != d {
			t.Errorf("ProfileDescription = %q, %v; want %q", got, err, d)
		}
	}
}

// testTag and assemble build profiles the writer never makes (v4, mluc,
// broken ones) so the reader is tested on more than its own writer's output.
type testTag struct {
	sig  string
	data []byte
}

func assemble(version uint32, tags ...testTag) []byte {
	out := make([]byte, 132+12*len(tags))
	be.PutUint32(out[128:], uint32(len(tags)))
	for i, tg := range tags {
		off := len(out)
		out = append(out, tg.data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		copy(out[132+12*i:], tg.sig)
		be.PutUint32(out[136+12*i:], uint32(off))
		be.PutUint32(out[140+12*i:], uint32(len(tg.data)))
	}
	be.PutUint32(out, uint32(len(out)))
	be.PutUint32(out[8:], version)
	copy(out[12:], "mntr")
	copy(out[16:], "RGB ")
	copy(out[20:], "XYZ ")
	copy(out[36:], "acsp")
	putXYZ(out[68:], iccD50)
	return out
}

type mlucRecord struct{ lang, text string }

func mluc(recs ...mlucRecord) []byte {
	b := []byte("mluc\x00\x00\x00\x00")
	b = be.AppendUint32(b, uint32(len(recs)))
	b = be.AppendUint32(b, 12)
	strOff := 16 + 12*len(recs)
	var strs []byte
	for _, r := range recs {
		var s []byte
		for _, u := range utf16.Encode([]rune(r.text)) {
			s = be.AppendUint16(s, u)
		}
		b = append(b, r.lang...)
		b = be.AppendUint32(b, uint32(len(s)))
		b = be.AppendUint32(b, uint32(strOff+len(strs)))
		strs = append(strs, s...)
	}
	return append(b, strs...)
}

func TestProfileDescriptionV4(t *testing.T) {
	tests := []struct {
		name string
		desc []byte
		want string
	}{
		{"en-US preferred", mluc(mlucRecord{"deDE", "Farbprofil"}, mlucRecord{"enUS", "Display P3"}), "Display P3"},
		{"any English next", mluc(mlucRecord{"frFR", "Écran"}, mlucRecord{"enGB", "Display"}), "Display"},
		{"else the first", mluc(mlucRecord{"deDE", "Farbprofil"}, mlucRecord{"frFR", "Écran"}), "Farbprofil"},
		{"textType", []byte("text\x00\x00\x00\x00Plain\x00"), "Plain"},
		{"v2 Unicode garbage falls back to ASCII", append(append([]byte("desc\x00\x00\x00\x00\x00\x00\x00\x04abc\x00"),
			0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), make([]byte, 70)...), "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			icc := assemble(0x04300000, testTag{"cprt", []byte("text\x00\x00\x00\x00x\x00")}, testTag{"desc", tt.desc})
			got, err := ProfileDescription(icc)
			if err != nil || got != tt.want {
				t.Errorf("ProfileDescription = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestMalformedProfiles(t *testing.T) {
	good := SRGBProfile()
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		icc  []byte
	}{
		{"empty", nil},
		{"header only", good[:128]},
		{"truncated", good[:len(good)-4]},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 0, 0)},
		{"no acsp", mutate(func(b []byte) []byte { copy(b[36:], "ACSP"); return b })},
		{"version 5", mutate(func(b []byte) []byte { b[8] = 5; return b })},
		{"unknown class", mutate(func(b []byte) []byte { copy(b[12:], "xxxx"); return b })},
		{"binary colour space", mutate(func(b []byte) []byte { b[16] = 0; return b })},
		{"bad PCS", mutate(func(b []byte) []byte { copy(b[20:], "RGB "); return b })},
		{"huge tag count", mutate(func(b []byte) []byte { be.PutUint32(b[128:], 0xffffffff); return b })},
		{"tag past end", mutate(func(b []byte) []byte { be.PutUint32(b[136:], uint32(len(b)-2)); return b })},
		{"tag size overflow", mutate(func(b []byte) []byte { be.PutUint32(b[140:], 0xfffffff0); return b })},
		{"tag inside header", mutate(func(b []byte) []byte { be.PutUint32(b[136:], 16); return b })},
		{"no desc", assemble(0x02100000, testTag{"cprt", []byte("text\x00\x00\x00\x00x\x00")})},
		{"desc of unknown type", assemble(0x02100000, testTag{"desc", []byte("XYZ \x00\x00\x00\x00\x00\x00\x00\x00")})},
		{"desc too short", assemble(0x02100000, testTag{"desc", []byte("desc")})},
		{"ASCII count past tag", assemble(0x02100000, testTag{"desc", []byte("desc\x00\x00\x00\x00\x00\x00\x01\x00ab")})},
		{"mluc without records", assemble(0x04300000, testTag{"desc", []byte("mluc\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0c")})},
		{"mluc string out of bounds", assemble(0x04300000, testTag{"desc", func() []byte {
			b := mluc(mlucRecord{"enUS", "hello"})
			be.PutUint32(b[24:], 1000)
			return b
		}()})},
		{"mluc odd length", assemble(0x04300000, testTag{"desc", func() []byte {
			b := mluc(mlucRecord{"enUS", "hello"})
			be.PutUint32(b[20:], 3)
			return b
		}()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProfileDescription(tt.icc)
			if !errors.Is(err, ErrMalformedProfile) {
				t.Errorf("err = %v, want ErrMalformedProfile", err)
			}
		})
	}
}

func FuzzProfileDescription(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzProfileDescription: the shared, hostile seeds
	for _, p := range predefinedProfiles {
		f.Add(p.icc())
	}
	f.Add(Profile(SRGB, "Écran — ✓ 🎨"))
	f.Add(assemble(0x04300000, testTag{"desc", mluc(mlucRecord{"deDE", "Farbe"}, mlucRecord{"enUS", "Colour"})}))
	f.Add(assemble(0x02100000, testTag{"desc", []byte("text\x00\x00\x00\x00Plain\x00")}))
	f.Add(SRGBProfile()[:200])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, icc []byte) {
		h, herr := ParseHeader(icc)
		desc, err := ProfileDescription(icc)
		if herr != nil && err == nil {
			t.Fatalf("ParseHeader failed (%v) but ProfileDescription succeeded with %q", herr, desc)
		}
		if herr == nil && int(h.Size) != len(icc) {
			t.Fatalf("accepted size %d for %d bytes", h.Size, len(icc))
		}
		if err != nil && !errors.Is(err, ErrMalformedProfile) {
			t.Fatalf("error %v does not wrap ErrMalformedProfile", err)
		}
	})
}
