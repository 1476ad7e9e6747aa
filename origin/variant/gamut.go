package variant

import (
	"context"
	"strconv"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Gamut decisions for a P3 locale's variant, as X-Colour-Gamut names them.
const (
	// GamutP3: the photo holds colours outside sRGB; the variant is
	// Display P3.
	GamutP3 = "p3"
	// GamutSRGBShared: the photo would look the same in sRGB; the variant
	// is the sRGB one of the same tone, the very bytes and cache entry the
	// sRGB locales get.
	GamutSRGBShared = "srgb-shared"
)

// gamutDecisions remembers each original's gamut (transform.Gamut) by key
// and ETag: a new ETag is a new original, measured anew, and a purge keeps
// the decision, which depends on the original's bytes alone. Measurements
// of one original are coalesced. The decision is held in memory only: a
// measurement decodes about 65,000 pixels, so after a restart each P3
// original pays for one.
type gamutDecisions struct {
	decided *lru.Cache[string, transform.Gamut]
	flight  singleflight.Group
	// measured counts originals measured, by outcome.
	measured *prometheus.CounterVec
}

func newGamutDecisions(reg prometheus.Registerer) *gamutDecisions {
	decided, _ := lru.New[string, transform.Gamut](16384) // ~100 bytes each
	return &gamutDecisions{decided: decided, measured: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
		Name: "edgeshelf_gamut_measurements_total",
		Help: "Originals whose gamut was decided for P3 locales, by outcome: wide (P3 variant), srgb (measured, the sRGB variant is shared) or header (no profile, an sRGB profile or grey: decided without decoding).",
	}, []string{"outcome"})}
}

func (d *gamutDecisions) note(g transform.Gamut) {
	outcome := "header"
	switch {
	case g.Wide:
		outcome = "wide"
	case g.Measured:
		outcome = "srgb"
	}
	d.measured.WithLabelValues(outcome).Inc()
}

// gamutNote is where Get leaves its gamut decision for the plan it was
// given. A Plan travels by value; the note is shared by its copies, so the
// caller that planned a variant can name the decision after Get.
type gamutNote struct{ decision atomic.Value }

// sharedSRGB is the variant a P3 look becomes when the photo is not wide.
type sharedSRGB struct {
	look    transform.Look
	profile string
	key     string
}

// Gamut is the gamut decision Get took for this plan (GamutP3 or
// GamutSRGBShared); "" for an sRGB locale, or before Get.
func (p Plan) Gamut() string {
	if p.gamut == nil {
		return ""
	}
	d, _ := p.gamut.decision.Load().(string)
	return d
}

// withSharedSRGB gives a P3 plan the sRGB variant it shares when the photo
// is not wide: the look of the locale in sRGB, under the id of the first
// sRGB profile with the same tone (rendering intent breaks ties: it changes
// no byte, our output profiles being matrix profiles), so its key is the
// key of the sRGB locales' variant. A tone no sRGB profile has keeps the
// P3 profile's id: the resolved space alone then tells the keys apart.
func (s *Service) withSharedSRGB(cat *catalog.Catalog, p *Plan) {
	if p.Look.Space != transform.DisplayP3 {
		return
	}
	look := p.Look
	look.Space = transform.SRGB
	profile := p.Profile
	if cp := srgbProfileFor(cat, p.Look); cp != nil {
		// The sRGB locales' look and id exactly, so the key is theirs.
		look.Intent, look.Tone = cp.Intent, toneOf(*cp)
		profile = cp.ID + "@" + strconv.Itoa(cp.Version)
	} else if sameTone(look.Tone, transform.Tone{}) {
		look.Intent, look.Tone, profile = "relative", transform.Tone{}, "none" // a locale without a profile
	}
	key := transform.VariantKey{SourceKey: p.Orig.Key, SourceETag: p.Orig.ETag, Spec: p.Spec, Look: look, Profile: profile}
	p.srgb = &sharedSRGB{look: look, profile: profile, key: cache.Key(p.SKU, key.Hash(s.settings))}
	p.gamut = &gamutNote{}
}

// srgbProfileFor finds the catalog's sRGB profile with the tone of look.
func srgbProfileFor(cat *catalog.Catalog, look transform.Look) *catalog.ColourProfile {
	var found *catalog.ColourProfile
	for i := range cat.ColourProfiles {
		cp := &cat.ColourProfiles[i]
		if transform.Space(cp.Space) != transform.SRGB || !sameTone(toneOf(*cp), look.Tone) {
			continue
		}
		if cp.Intent == look.Intent {
			return cp
		}
		if found == nil {
			found = cp
		}
	}
	return found
}

func toneOf(cp catalog.ColourProfile) transform.Tone {
	return transform.Tone{Temperature: cp.Tone.Temperature, Saturation: cp.Tone.Saturation, Exposure: cp.Tone.Exposure}
}

// sameTone: the same adjustment; a saturation of 0 is unset, that is 1.
func sameTone(a, b transform.Tone) bool {
	unset := func(t transform.Tone) transform.Tone {
		if t.Saturation == 0 {
			t.Saturation = 1
		}
		return t
	}
	return unset(a) == unset(b)
}

// resolveGamut turns a P3 plan into the variant it is served: itself for a
// wide photo, its shared sRGB variant otherwise. It notes the decision for
// Plan.Gamut.
func (s *Service) resolveGamut(ctx context.Context, p Plan) Plan {
	if p.srgb == nil {
		return p
	}
	decision := GamutP3
	if !s.needsP3(ctx, p) {
		decision = GamutSRGBShared
		p.Look, p.Profile, p.Key = p.srgb.look, p.srgb.profile, p.srgb.key
	}
	p.srgb = nil
	p.gamut.decision.Store(decision)
	return p
}

// servedKey is the key a plan is served under as far as is known without
// measuring: Describe names cache keys and never decodes, so a P3 plan
// whose original is not measured yet keeps its P3 key.
func (s *Service) servedKey(p Plan) string {
	if p.srgb == nil || s.swatchNeedsP3(p.Look) {
		return p.Key
	}
	if g, ok := s.gamut.decided.Peek(p.Orig.Key + "@" + p.Orig.ETag); ok && !g.Wide {
		return p.srgb.key
	}
	return p.Key
}

// swatchNeedsP3: the declared swatch colour the variant is calibrated
// toward lies outside sRGB.
func (s *Service) swatchNeedsP3(l transform.Look) bool {
	return l.Swatch != nil && l.Calibrate && s.outsideSRGB(l.Swatch.Lab)
}

// needsP3: the swatch needs P3 (swatchNeedsP3), or the photo is wide.
// When the photo cannot be measured (renders shed with 503, the store
// failing, the request gone) the P3 variant is served, never wrong, only
// not shared: one held in a cache tier is still served during a store
// outage, and a render that cannot run fails as it would have. The
// decision is then left for a later request to take.
func (s *Service) needsP3(ctx context.Context, p Plan) bool {
	if s.swatchNeedsP3(p.Look) {
		return true
	}
	g, err := s.gamutOf(ctx, p.Orig)
	return err != nil || g.Wide
}

// outsideSRGB: clipping the colour to sRGB moves it by more than the
// distance a photo's pixel must move to count as outside sRGB.
func (s *Service) outsideSRGB(lab colour.Lab) bool {
	r, g, b, in := colour.LabToSRGB(lab)
	return !in && colour.DeltaE2000(lab, colour.SRGBFloatToLab(r, g, b)) > s.settings.GamutMinDeltaE
}

// gamutOf is an original's gamut, measured once per key and ETag however
// many ask at once. The measurement runs under RequestTimeout of its own:
// the first caller leaving must not fail the others.
func (s *Service) gamutOf(ctx context.Context, orig catalog.Original) (transform.Gamut, error) {
	d := s.gamut
	id := orig.Key + "@" + orig.ETag
	if g, ok := d.decided.Get(id); ok {
		return g, nil
	}
	ch := d.flight.DoChan(id, func() (any, error) {
		if g, ok := d.decided.Get(id); ok {
			return g, nil
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		obj, err := s.source(ctx, orig)
		if err != nil {
			return transform.Gamut{}, err
		}
		g, err := s.deps.Renderer.MeasureGamut(ctx, obj.Data)
		if err != nil {
			return transform.Gamut{}, err
		}
		d.note(g)
		d.decided.Add(id, g)
		return g, nil
	})
	select {
	case r := <-ch:
		return r.Val.(transform.Gamut), r.Err
	case <-ctx.Done():
		return transform.Gamut{}, ctx.Err()
	}
}
