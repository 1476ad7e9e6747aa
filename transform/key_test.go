package transform

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

var allFormats = []Format{JPEG, WebP, AVIF, PNG}

// settingEffect says, for every Config field, which formats' bytes it can
// change. A new field fails TestEffectiveSettingsCoverConfig until it is
// listed here, so nobody adds a setting without deciding whether it belongs
// in the cache key.
var settingEffect = map[string][]Format{
	"MaxSourcePixels": nil, // refuses sources, never changes an accepted render
	"MaxSourceBytes":  nil,
	"MaxOutputWidth":  allFormats, // bounds a free axis (w=0 or h=0)
	"MaxOutputHeight": allFormats,
	"MaxDPR":          nil, // refuses a larger dpr, never clamps it
	"Concurrency":     nil,
	"Queue":           nil,
	"QueueWait":       nil, // admission: when a render runs, never what it makes
	"RenderNice":      nil,
	"RenderIdle":      nil,
	"RenderTimeout":   nil,
	"QualityJPEG":     {JPEG},
	"QualityWebP":     {WebP},
	"QualityAVIF":     {AVIF},
	"AVIFSpeed":       {AVIF},
	"WebPEffort":      {WebP},
	"VipsThreads":     nil, // libvips' threaded output is deterministic
	"MallocArenas":    nil,
	"MallocTrim":      nil,
	"SRGBProfile":     {JPEG, WebP, PNG}, // sRGB AVIF is tagged by CICP either way
	"JPEGProgressive": {JPEG},
	"VipsVector":      allFormats, // liborc's SIMD paths round differently
	// The gamut thresholds decide whether a P3 locale's variant is rendered
	// in P3 or shares the sRGB one; that decision is in the key as the
	// resolved look (space and profile: TestGamutDecisionInKey), so the
	// bytes under one key never depend on them.
	"GamutMinShare":  nil,
	"GamutMinDeltaE": nil,
	// q=auto's bounds change the bytes of q=auto variants only, whose key
	// has them (TestAutoQualitySettingsInKey); testKey is a fixed-q spec.
	"AutoQualityFloor":    nil,
	"AutoQualityEncodes":  nil,
	"AutoQualityDeltaE":   nil,
	"AutoQualityMinScore": nil,
	// Which mezzanine a variant renders from moves its pixels slightly
	// (within ΔE2000 0.3: TestPyramidFidelity); the memory budget only
	// decides where the same mezzanine is read from.
	"PyramidMinRatio": allFormats,
	// Admission decides which misses render from the original instead.
	"PyramidAdmit": allFormats,
	"PyramidBytes": nil,
}

// bumped is cfg with one field changed to another value of its type.
func bumped(t *testing.T, cfg Config, field string) Config {
	t.Helper()
	v := reflect.ValueOf(&cfg).Elem().FieldByName(field)
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			v.SetInt(v.Int() + int64(time.Second))
		} else {
			v.SetInt(v.Int() - 1)
		}
	case reflect.Float64:
		v.SetFloat(v.Float() - 0.5)
	case reflect.String: // SRGBProfile, the one string setting
		v.SetString(map[string]string{SRGBProfileEmbed: SRGBProfileOmit, SRGBProfileOmit: SRGBProfileEmbed}[v.String()])
	default:
		t.Fatalf("field %s: kind %s has no bump", field, v.Kind())
	}
	return cfg
}

func testKey(f Format, quality int) VariantKey {
	return VariantKey{
		SourceKey: "originals/mug/front.jpg", SourceETag: `"abc"`,
		Spec:    Spec{Width: 400, Format: f, Quality: quality},
		Look:    Look{Space: SRGB, Intent: "relative"},
		Profile: "none",
	}
}

func TestEffectiveSettingsCoverConfig(t *testing.T) {
	base := Defaults()
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		field := typ.Field(i).Name
		affected, ok := settingEffect[field]
		if !ok {
			t.Errorf("Config.%s is not in settingEffect: decide whether it changes output bytes (then EffectiveSettings must include it)", field)
			continue
		}
		changed := bumped(t, base, field)
		for _, f := range allFormats {
			key := testKey(f, 0)
			before, after := key.Hash(base), key.Hash(changed)
			if want := slices.Contains(affected, f); (before != after) != want {
				t.Errorf("Config.%s changed, %s variant: key changed = %v, want %v", field, f, before != after, want)
			}
		}
	}
}

// An explicit quality in the spec makes the configured default irrelevant:
// changing the default must not invalidate such variants.
func TestExplicitQualityIgnoresDefault(t *testing.T) {
	base := Defaults()
	for _, field := range []string{"QualityJPEG", "QualityWebP", "QualityAVIF"} {
		changed := bumped(t, base, field)
		for _, f := range allFormats {
			key := testKey(f, 70)
			if key.Hash(base) != key.Hash(changed) {
				t.Errorf("%s variant with q=70: key changed with Config.%s", f, field)
			}
		}
	}
}

func TestVariantKeyParts(t *testing.T) {
	cfg := Defaults()
	base := testKey(WebP, 0)
	variants := map[string]VariantKey{}
	k := base
	k.SourceETag = `"def"`
	variants["source etag"] = k
	k = base
	k.SourceKey = "originals/mug/side.jpg"
	variants["source key"] = k
	k = base
	k.Spec.Width = 401
	variants["spec"] = k
	k = base
	k.Profile = "srgb-warm@4"
	variants["profile"] = k
	k = base
	k.Look.Tone.Temperature = 150
	variants["look"] = k
	seen := map[string]string{base.Hash(cfg): "base"}
	for name, v := range variants {
		h := v.Hash(cfg)
		if other, dup := seen[h]; dup {
			t.Errorf("%s gives the same key as %s", name, other)
		}
		seen[h] = name
	}
	if base.Hash(cfg) != testKey(WebP, 0).Hash(cfg) {
		t.Error("the same inputs gave two keys")
	}
}

// TestGamutDecisionInKey: the gamut decision for a P3 locale is in the key
// as the look it resolves to. A wide photo keeps the P3 look (its own key);
// an sRGB-only one takes the look and profile of the sRGB locales with the
// same tone, so its key is theirs: one render, one cache entry.
func TestGamutDecisionInKey(t *testing.T) {
	cfg := Defaults()
	srgbLocale := testKey(WebP, 0)
	srgbLocale.Profile = "srgb-neutral@1"
	wide := srgbLocale
	wide.Look.Space, wide.Profile = DisplayP3, "p3-neutral@1"
	shared := wide
	shared.Look.Space, shared.Profile = SRGB, "srgb-neutral@1"
	if wide.Hash(cfg) == shared.Hash(cfg) {
		t.Error("the P3 and the sRGB-shared decisions give one key")
	}
	if shared.Hash(cfg) != srgbLocale.Hash(cfg) {
		t.Error("an sRGB-shared P3 variant does not share the sRGB locale's key")
	}
}

// TestRefusedVectorLeavesKey: when useVector could not install the liborc
// lock it runs libvips' C code, so a config asking for liborc must key its
// variants as renders without it.
func TestRefusedVectorLeavesKey(t *testing.T) {
	on, off := Defaults(), Defaults()
	on.VipsVector, off.VipsVector = true, false
	k := testKey(JPEG, 0)
	if k.Hash(on) == k.Hash(off) {
		t.Fatal("VIPS_VECTOR does not change the key")
	}
	vectorRefused.Store(true)
	defer vectorRefused.Store(false)
	if k.Hash(on) != k.Hash(off) {
		t.Error("with liborc refused, a config asking for it keys its variants as rendered with liborc")
	}
}
