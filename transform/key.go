package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// VariantKey names the inputs of one render. Two VariantKeys with equal
// Hash() always render identical bytes: the contract's cache key is made
// here, next to the spec, and nowhere else.
type VariantKey struct {
	// SourceKey and SourceETag identify the original's bytes.
	SourceKey, SourceETag string
	Spec                  Spec
	Look                  Look
	// Profile is the colour profile's id@version ("none" without one).
	Profile string
}

// Hash is the variant's cache key: sha256 over the source and its ETag,
// the canonical spec, the colour profile version and the look it gives,
// the pipeline version, and the render settings of cfg that can change
// this variant's bytes (EffectiveSettings).
func (k VariantKey) Hash(cfg Config) string {
	h := sha256.New()
	parts := []string{k.SourceKey, k.SourceETag, k.Spec.Canonical(), k.Profile, k.Look.Canonical(),
		PipelineVersion, cfg.EffectiveSettings(k.Spec)}
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// EffectiveSettings lists the configured settings a render of spec uses
// that change its bytes, in a fixed order: the encoder settings of its
// format (the default quality only when the spec names none; for q=auto,
// that default as the ceiling and the AutoQuality bounds), the output
// limits that bound a free axis, and the SIMD switch (liborc rounds
// differently from the C paths). A setting missing here is a stale-cache
// bug: after a config change the shared results tier would keep serving
// the old bytes under the old key and ETag. TestEffectiveSettingsCoverConfig
// makes every Config field declare whether it belongs here.
func (c Config) EffectiveSettings(spec Spec) string {
	n := spec.normalised()
	var b strings.Builder
	quality := func(def int) {
		b.WriteString("q=")
		b.WriteString(strconv.Itoa(orDefault(n.Quality, def)))
		if n.AutoQuality { // the default is q=auto's ceiling
			b.WriteString(c.autoQualitySettings())
		}
	}
	switch n.Format {
	case JPEG:
		quality(c.QualityJPEG)
		if !c.JPEGProgressive {
			b.WriteString(";baseline")
		}
	case WebP:
		quality(c.QualityWebP)
		b.WriteString(";effort=")
		b.WriteString(strconv.Itoa(c.WebPEffort))
	case AVIF:
		quality(c.QualityAVIF)
		b.WriteString(";speed=")
		b.WriteString(strconv.Itoa(c.AVIFSpeed))
	}
	b.WriteString(";max=")
	b.WriteString(strconv.Itoa(c.MaxOutputWidth))
	b.WriteString("x")
	b.WriteString(strconv.Itoa(c.MaxOutputHeight))
	b.WriteString(";vector=")
	b.WriteString(strconv.FormatBool(c.VipsVector && !vectorRefused.Load())) // the setting in effect: useVector may have refused it
	if c.SRGBProfile == SRGBProfileOmit && n.Format != AVIF {                // an untagged sRGB variant
		b.WriteString(";srgb-profile=omit")
	}
	if c.PyramidMinRatio > 0 { // which mezzanine a variant renders from
		b.WriteString(";pyramid=")
		b.WriteString(PyramidVersion)
		b.WriteString("@")
		b.WriteString(strconv.FormatFloat(c.PyramidMinRatio, 'g', -1, 64))
		b.WriteString(";admit=")
		b.WriteString(strconv.Itoa(c.PyramidAdmit))
	}
	return b.String()
}
