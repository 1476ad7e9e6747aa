package variant

import (
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Plan is everything needed to find or make one variant.
type Plan struct {
	SKU, View string
	Orig      catalog.Original
	Spec      transform.Spec
	Look      transform.Look
	// Profile is the colour profile's id@version ("none" without one).
	Profile string
	// Locale is the resolved locale tag (de-AT asks, de-DE answers).
	Locale string
	// Key is the cache key: the SKU, then the variant hash.
	Key string
	// Tags name the SKU (and hub) for CDN purges.
	Tags []string
	// surrogateKey and cacheTag are Tags as the two purge headers spell
	// them, joined once per plan (plans are memoized), not per response.
	surrogateKey, cacheTag string
	// URL is the address that asked for the variant, for the colour
	// report; optional.
	URL string
	// srgb is the variant a P3 plan is served when its photo is not wide
	// (resolveGamut, in Get); nil for an sRGB look or once resolved.
	srgb *sharedSRGB
	// gamut holds Get's gamut decision for Plan.Gamut; nil for an sRGB look.
	gamut *gamutNote
}

// Plan resolves the locale and look of a variant, checks the spec against
// the output limits and computes its cache key and purge tags. The format
// must be resolved (not auto).
func (s *Service) Plan(cat *catalog.Catalog, orig catalog.Original, sku, view, locale string, spec transform.Spec) (Plan, error) {
	if err := spec.Validate(s.settings); err != nil {
		return Plan{}, err
	}
	return s.plan(cat, orig, sku, view, locale, spec), nil
}

// plan is Plan for specs known to be valid (catalog presets), remembered
// (planMemo).
func (s *Service) plan(cat *catalog.Catalog, orig catalog.Original, sku, view, locale string, spec transform.Spec) Plan {
	k := planKey{orig: orig, sku: sku, view: view, locale: locale, spec: spec}
	return s.plans.get(cat, k, func() Plan { return s.makePlan(cat, orig, sku, view, locale, spec) })
}

func (s *Service) makePlan(cat *catalog.Catalog, orig catalog.Original, sku, view, locale string, spec transform.Spec) Plan {
	localeName, loc, _ := cat.ResolveLocale(locale)
	look, profile := LookFor(cat, loc, sku, view)
	tags := []string{"sku-" + sku}
	if orig.Hub != "" {
		tags = append(tags, "hub-"+orig.Hub)
	}
	key := transform.VariantKey{SourceKey: orig.Key, SourceETag: orig.ETag, Spec: spec, Look: look, Profile: profile}
	p := Plan{
		SKU: sku, View: view, Orig: orig, Spec: spec, Look: look, Profile: profile, Locale: localeName,
		Key: cache.Key(sku, key.Hash(s.settings)), Tags: tags,
		surrogateKey: strings.Join(tags, " "), cacheTag: strings.Join(tags, ","),
	}
	s.withSharedSRGB(cat, &p)
	return p
}

// PresetSpec is the spec of a catalog preset in a format.
func PresetSpec(p *catalog.Preset, f transform.Format) transform.Spec {
	return transform.Spec{
		Width: p.Width, Height: p.Height, Fit: transform.Fit(p.Fit),
		Gravity: p.Gravity, Enlarge: p.Enlarge, Format: f,
		Quality: p.Quality.Number(), AutoQuality: p.Quality == catalog.QualityAuto, Background: p.Background,
	}
}

// LookFor is the colour treatment of a variant: the locale's colour profile
// and, on the SKU's swatch view (master or hub photo), the swatch to
// calibrate toward and measure. It also returns the profile's id@version.
func LookFor(cat *catalog.Catalog, locale catalog.Locale, skuID, view string) (transform.Look, string) {
	look := transform.Look{Space: transform.SRGB, Intent: "relative"}
	profileID := "none"
	if p := cat.LocaleProfile(locale); p != nil {
		profileID = p.ID + "@" + strconv.Itoa(p.Version)
		look.Space = transform.Space(p.Space)
		look.Intent = p.Intent
		look.Tone = transform.Tone{Temperature: p.Tone.Temperature, Saturation: p.Tone.Saturation, Exposure: p.Tone.Exposure}
	}
	if sku, ok := cat.SKU(skuID); ok && sku.Swatch != nil && sku.Swatch.View == view {
		sw := sku.Swatch
		look.Swatch = &transform.Swatch{Rect: sw.Rect, Lab: colour.Lab{L: sw.Lab[0], A: sw.Lab[1], B: sw.Lab[2]}}
		look.Calibrate = true
	}
	return look, profileID
}

// SurrogateKey is the Surrogate-Key header of the plan's responses: its
// purge tags, space separated.
func (p Plan) SurrogateKey() string {
	if p.surrogateKey == "" {
		return strings.Join(p.Tags, " ")
	}
	return p.surrogateKey
}

// CacheTag is the Cache-Tag header of the plan's responses: its purge
// tags, comma separated.
func (p Plan) CacheTag() string {
	if p.cacheTag == "" {
		return strings.Join(p.Tags, ",")
	}
	return p.cacheTag
}
