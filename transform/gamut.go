package transform

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Gamut says whether a source holds colours a Display P3 variant can show
// and an sRGB one cannot. A P3 locale gets the P3 variant only for a wide
// photo; any other photo would look the same in sRGB, so it gets the sRGB
// variant and shares its cache entry.
type Gamut struct {
	// Wide: more than GamutMinShare of the visible pixels move by more
	// than GamutMinDeltaE (ΔE2000) when clipped to sRGB.
	Wide bool `json:"wide"`
	// Measured is false when the header alone decided: no embedded
	// profile (sRGB by contract), an sRGB profile, or a grey image.
	Measured bool `json:"measured"`
	// Pixels are the visible pixels of the sample; Outside those beyond
	// GamutMinDeltaE; MaxDeltaE the largest distance seen.
	Pixels    int     `json:"pixels,omitempty"`
	Outside   int     `json:"outside,omitempty"`
	MaxDeltaE float64 `json:"max_delta_e,omitempty"`
}

// Share is the share of the visible pixels outside sRGB by more than the
// distance threshold.
func (g Gamut) Share() float64 {
	if g.Pixels == 0 {
		return 0
	}
	return float64(g.Outside) / float64(g.Pixels)
}

// gamutBox is the sample measured: about 65,000 pixels tell the share of
// a colour to well under 0.1 %, and the JPEG decoder reaches it by its
// scaled IDCT (1/8) for any photo up to 2048 px.
var gamutBox = box{w: 256, h: 256, crop: vips.InterestingNone, size: vips.SizeDown}

// gamutPipeline brings the source to gamutBox and converts it, as the P3
// variant would be, to 8-bit Display P3: what is measured is what that
// variant would hold, CMYK included (a press profile reaches past sRGB in
// its cyans and greens, so a CMYK original is measured, not assumed).
// sampleGamut then measures the result.
var gamutPipeline = []step{
	{"shrinkOnLoad", shrinkOnLoad},
	{"cmykToOutputSpace", cmykToOutputSpace},
	{"resize", sampleResize},
	{"toOutputSpace", toOutputSpace},
}

// sampleResize resizes the gamut sample at 16 bits per channel. libvips'
// liborc code (EDGESHELF_VIPS_VECTOR) rounds 8-bit reduces differently
// from its C code, which moved one demo photo across the P3 threshold; at
// 16 bits libvips reduces with the same C code either way, so the P3
// decision (and the cache entries it picks) does not depend on that
// setting.
func sampleResize(st *state) error {
	if st.fitted || st.img.BandFormat() != vips.BandFormatUchar {
		return resize(st)
	}
	if err := st.img.Linear1(257, 0); err != nil { // 0..255 → 0..65535
		return corrupt(err)
	}
	if err := st.img.Cast(vips.BandFormatUshort); err != nil {
		return corrupt(err)
	}
	return resize(st)
}

// MeasureGamut decides whether a source is wide (see Gamut). Sources that
// cannot hold colours outside sRGB are decided from the header, without a
// decode: untagged RGB (sRGB by contract), an embedded sRGB profile, grey.
// The others are decoded small under the render admission (a measurement
// is CPU work like a render and is refused like one under overload).
func (r *Renderer) MeasureGamut(ctx context.Context, src []byte) (Gamut, error) {
	info, err := Inspect(src, r.cfg)
	if err != nil {
		return Gamut{}, err
	}
	if !mayBeWide(info) {
		return Gamut{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RenderTimeout)
	defer cancel()
	if err := r.enterLine(); err != nil {
		return Gamut{}, err
	}
	release, err := r.admit(ctx)
	if err != nil {
		return Gamut{}, err
	}
	return inSlot(ctx, r, release, func() (Gamut, error) { return sampleGamut(r.cfg, src, info, r.log) })
}

// mayBeWide says whether the header leaves the question open.
func mayBeWide(info Info) bool {
	if info.Interpretation == "cmyk" {
		return true
	}
	if !info.HasICC || info.Bands < 3 {
		return false
	}
	// Every sRGB profile (v2, v4, LUT-based) spans the sRGB gamut, so the
	// decode could only confirm what the profile says.
	desc, err := colour.ProfileDescription(info.ICCProfile)
	return err != nil || !strings.HasPrefix(strings.TrimSpace(desc), "sRGB")
}

// sampleGamut runs gamutPipeline on a state of its own.
func sampleGamut(cfg Config, src []byte, info Info, log *slog.Logger) (g Gamut, err error) {
	st := &state{cfg: cfg, req: Request{Source: src}, look: Look{Space: DisplayP3}, info: info, log: log, box: gamutBox}
	defer func() {
		st.close()
		if rec := recover(); rec != nil {
			g, err = Gamut{}, fmt.Errorf("gamut: %v", rec)
		}
	}()
	if err := runSteps(st, gamutPipeline); err != nil {
		return Gamut{}, err
	}
	return measureGamut(st.img, cfg)
}

// measureGamut counts the pixels of the 8-bit Display P3 sample whose
// sRGB rendering differs visibly: each is taken to linear sRGB without
// clipping, and one with a channel outside 0..1 is compared (ΔE2000) with
// its clipped self, which is what the sRGB variant shows instead (our
// output profiles are matrix profiles, so libvips clips per channel).
// Nearly transparent pixels (alpha < 50 %) are not seen and not counted.
func measureGamut(img *vips.ImageRef, cfg Config) (Gamut, error) {
	raw, err := img.ToBytes()
	if err != nil {
		return Gamut{}, corrupt(err)
	}
	bands := img.Bands()
	alpha := img.HasAlpha()
	g := Gamut{Measured: true}
	memo := map[[3]byte]float64{}
	for i := 0; i+2 < len(raw); i += bands {
		if alpha && raw[i+bands-1] < 128 {
			continue
		}
		g.Pixels++
		px := [3]byte{raw[i], raw[i+1], raw[i+2]}
		p3, clipped, outside := toSRGB(px)
		if !outside {
			continue // most pixels: no ΔE to work out
		}
		de, ok := memo[px]
		if !ok {
			de = colour.DeltaE2000(labOf(p3, colour.DisplayP3), labOf(clipped, colour.SRGB))
			memo[px] = de
		}
		if de > cfg.GamutMinDeltaE {
			g.Outside++
		}
		g.MaxDeltaE = max(g.MaxDeltaE, de)
	}
	g.Wide = g.Share() > cfg.GamutMinShare
	return g, nil
}

// p3ToSRGB is the matrix from linear Display P3 to linear sRGB, row by
// row: both share D65, so no adaptation is involved.
var p3ToSRGB = func() (m [3][3]float64) {
	for j := range 3 {
		var e [3]float64
		e[j] = 1
		r, g, b := colour.SRGB.FromXYZD50(colour.DisplayP3.ToXYZD50(e[0], e[1], e[2]))
		tr := colour.SRGB.Transfer
		m[0][j], m[1][j], m[2][j] = tr.ToLinear(r), tr.ToLinear(g), tr.ToLinear(b)
	}
	return m
}()

// gamutSlack absorbs the rounding of the matrices: a channel at -1e-6 is
// in gamut.
const gamutSlack = 1e-6

// toSRGB takes an 8-bit Display P3 colour to linear light (p3) and to
// linear sRGB clipped to 0..1 (clipped); outside says whether the clip
// moved it.
func toSRGB(px [3]byte) (p3, clipped [3]float64, outside bool) {
	p3 = [3]float64{srgbLinear[px[0]], srgbLinear[px[1]], srgbLinear[px[2]]}
	for i := range 3 {
		lin := p3ToSRGB[i][0]*p3[0] + p3ToSRGB[i][1]*p3[1] + p3ToSRGB[i][2]*p3[2]
		clipped[i] = min(max(lin, 0), 1)
		outside = outside || lin < -gamutSlack || lin > 1+gamutSlack
	}
	return p3, clipped, outside
}
