package transform_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// TestFixtureSet rebuilds the set under UPDATE_GOLDEN=1 and, either way,
// checks the files still are what the golden test assumes: the right
// sizes, tags and profiles, and a small committed total.
func TestFixtureSet(t *testing.T) {
	ensureFixtures(t)
	cfg := defaultConfig(t)
	for _, f := range fixtures {
		b := readFixture(t, f)
		info, err := transform.Inspect(b, cfg)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		heif := info.Type == "heif" || info.Type == "avif"
		w, h := info.Width, info.Height
		if f.Orientation >= 5 && !heif {
			w, h = h, w
		}
		if [2]int{w, h} != f.Display {
			t.Errorf("%s: stored %d×%d (orientation %d), want displayed %v", f.Name, info.Width, info.Height, f.Orientation, f.Display)
		}
		// libvips' jpegsave writes orientation 1 into every EXIF block.
		if raw := exifOrientation(b); raw != f.Orientation && (f.Orientation != 0 || raw != 1) {
			t.Errorf("%s: EXIF orientation tag %d, want %d", f.Name, raw, f.Orientation)
		}
		if f.Orientation != 0 && !heif && info.Orientation != f.Orientation {
			t.Errorf("%s: libvips reads orientation %d, want %d", f.Name, info.Orientation, f.Orientation)
		}
		if heif {
			if bytes.Contains(b, []byte("irot")) || bytes.Contains(b, []byte("imir")) {
				t.Errorf("%s: carries an irot/imir box; the fixture is about EXIF orientation alone", f.Name)
			}
			// libvips 8.14's heifload already drops the tag it reads
			// (vips_autorot_remove_angle); the pipeline does not rely on it.
			t.Logf("%s: EXIF orientation 6 in the file, %d as libvips reports it", f.Name, info.Orientation)
		}
		if f.CMYK != (info.Interpretation == "cmyk") {
			t.Errorf("%s: interpretation %s", f.Name, info.Interpretation)
		}
		if f.Chart != nil && !f.Chart.Grey {
			if desc, err := colour.ProfileDescription(info.ICCProfile); err != nil {
				t.Errorf("%s: embedded profile: %v", f.Name, err)
			} else {
				t.Logf("%s: %s, profile %q", f.Name, info.Interpretation, desc)
			}
		}
		if f.Alpha != info.HasAlpha {
			t.Errorf("%s: has alpha %v, want %v", f.Name, info.HasAlpha, f.Alpha)
		}
		if info.Type == "gif" && info.Pages != 3 {
			t.Errorf("%s: %d frames, want 3", f.Name, info.Pages)
		}
	}
	for _, c := range []struct {
		name string
		icc  string // "": none; else the profile's colour space
	}{{"cmyk-tagged", "CMYK"}, {"cmyk-untagged", ""}, {"cmyk-rgb-profile", "RGB "}} {
		info, err := transform.Inspect(readFixture(t, fixtureNamed(t, c.name)), cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if info.HasICC {
			hdr, err := colour.ParseHeader(info.ICCProfile)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = hdr.ColourSpace
		}
		if got != c.icc {
			t.Errorf("%s: embedded profile space %q, want %q", c.name, got, c.icc)
		}
	}
	// The stored images really are the marker image once oriented.
	for o := 1; o <= 8; o++ {
		if got := orient(orient(markerImage(), inverseOrientation(o)), o); !bytes.Equal(got.Pix, markerImage().Pix) {
			t.Errorf("orientation %d: orient(inverse) is not the identity", o)
		}
	}
	var total int64
	for _, dir := range []string{fixtureDir, goldenDir} {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // goldens not written yet: TestGolden says so
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			total += fi.Size()
			if dir == fixtureDir {
				t.Logf("%-22s %6d bytes", e.Name(), fi.Size())
			}
		}
	}
	t.Logf("fixtures and goldens: %d bytes", total)
	if total > 256<<10 {
		t.Errorf("testdata holds %d bytes of fixtures and goldens; keep it well under 1 MB (≤ 256 KiB)", total)
	}
}

// exifOrientation reads the Orientation tag from the first EXIF block of a
// JPEG or HEIF file by scanning for it, independently of libvips (whose
// HEIF loader hides the tag). 0: no EXIF block or no tag.
func exifOrientation(b []byte) int {
	// The APP1 segment (JPEG) and the Exif item (HEIF) both hold
	// "Exif\0\0" then the TIFF header; HEIF also names its item type
	// "Exif", so look for the pair.
	var tiff []byte
	for rest := b; ; {
		i := bytes.Index(rest, []byte("Exif\x00\x00"))
		if i < 0 {
			return 0
		}
		rest = rest[i+6:]
		if bytes.HasPrefix(rest, []byte("II*\x00")) || bytes.HasPrefix(rest, []byte("MM\x00*")) {
			tiff = rest
			break
		}
	}
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(tiff[4:8]))
	if off+2 > len(tiff) {
		return 0
	}
	n := int(bo.Uint16(tiff[off:]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(tiff) {
			return 0
		}
		if bo.Uint16(tiff[e:]) == 0x0112 {
			return int(bo.Uint16(tiff[e+8:]))
		}
	}
	return 0
}

func fixtureNamed(t *testing.T, name string) fixture {
	t.Helper()
	for _, f := range fixtures {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fixture %s", name)
	return fixture{}
}
