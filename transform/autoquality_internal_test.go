package transform

import (
	"reflect"
	"strings"
	"testing"
)

// autoSettings are the Config fields q=auto's choice depends on.
func autoSettings(t *testing.T) []string {
	t.Helper()
	var fields []string
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; strings.HasPrefix(name, "AutoQuality") {
			fields = append(fields, name)
		}
	}
	if len(fields) < 4 {
		t.Fatalf("found %d AutoQuality settings, want the floor, encodes, ΔE and score", len(fields))
	}
	return fields
}

// TestAutoQualitySettingsInKey: a q=auto variant's key changes with every
// q=auto setting and with its format's default quality (the ceiling); a
// PNG (lossless: q=auto means nothing) or fixed-quality variant's key
// does not.
func TestAutoQualitySettingsInKey(t *testing.T) {
	base := Defaults()
	ceiling := map[Format]string{JPEG: "QualityJPEG", WebP: "QualityWebP", AVIF: "QualityAVIF"}
	for _, f := range allFormats {
		auto := testKey(f, 0)
		auto.Spec.AutoQuality = true
		fixed := testKey(f, 70)
		fields := autoSettings(t)
		if c, ok := ceiling[f]; ok {
			fields = append(fields, c)
		}
		for _, field := range fields {
			changed := bumped(t, base, field)
			if got, want := auto.Hash(base) != auto.Hash(changed), f != PNG; got != want {
				t.Errorf("Config.%s changed, %s q=auto variant: key changed = %v, want %v", field, f, got, want)
			}
			if fixed.Hash(base) != fixed.Hash(changed) {
				t.Errorf("Config.%s changed the key of a %s q=70 variant", field, f)
			}
		}
		if f != PNG && auto.Hash(base) == testKey(f, 0).Hash(base) {
			t.Errorf("%s: q=auto and the default quality share a key", f)
		}
	}
}

// TestAutoQualityParses: q=auto in an ad-hoc URL round-trips through the
// canonical form, drops an explicit number's meaning, and is a no-op for
// PNG.
func TestAutoQualityParses(t *testing.T) {
	cfg := Defaults()
	s, err := ParseSpec("w=400&q=auto&fmt=webp", cfg)
	if err != nil || !s.AutoQuality {
		t.Fatalf("q=auto: %+v, %v", s, err)
	}
	if got := s.Canonical(); got != "bg=ffffff&fit=inside&fmt=webp&h=0&q=auto&w=400" {
		t.Errorf("canonical %q", got)
	}
	back, err := ParseSpec(s.Canonical(), cfg)
	if err != nil || back.Canonical() != s.Canonical() {
		t.Errorf("canonical form does not read back: %+v, %v", back, err)
	}
	png, _ := ParseSpec("w=400&quality=AUTO&fmt=png", cfg)
	plain, _ := ParseSpec("w=400&fmt=png", cfg)
	if png.Canonical() != plain.Canonical() {
		t.Errorf("PNG q=auto %q differs from PNG %q", png.Canonical(), plain.Canonical())
	}
	for _, bad := range []string{"w=400&q=automatic", "w=400&q=0", "w=400&q="} {
		if _, err := ParseSpec(bad, cfg); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestAutoWindow: small variants are searched whole; a large one on a
// 512 px window on the 16 px grid that holds the swatch, or the centre.
func TestAutoWindow(t *testing.T) {
	if w := autoWindow(1200, 1200, nil); w != [4]int{0, 0, 1200, 1200} {
		t.Errorf("1200×1200: window %v, want the whole variant", w)
	}
	centre := autoWindow(2400, 1800, nil)
	if centre != [4]int{944, 640, 512, 512} {
		t.Errorf("2400×1800 without a swatch: window %v, want the centre on the 16 px grid", centre)
	}
	sw := &[4]int{2300, 10, 2390, 40}
	w := autoWindow(2400, 1800, sw)
	if w[0]%16 != 0 || w[1]%16 != 0 || w[2] != 512 || w[3] != 512 ||
		sw[0] < w[0] || sw[1] < w[1] || sw[2] > w[0]+w[2] || sw[3] > w[1]+w[3] {
		t.Errorf("swatch %v: window %v does not hold it on the grid", sw, w)
	}
	if w := autoWindow(2400, 1800, &[4]int{0, 0, 1000, 20}); w != [4]int{0, 0, 2400, 1800} {
		t.Errorf("a swatch wider than the window: %v, want the whole variant", w)
	}
}
