package gallery

import (
	"fmt"
	"math"
)

// Checks a photo can fail.
const (
	CheckWhiteBalance = "white_balance"
	CheckExposure     = "exposure"
	CheckSwatch       = "swatch"
)

// White balance methods of a SKU.
const (
	MethodNeutral   = "neutral"
	MethodGreyWorld = "grey_world"
)

// Flag is one outlier: which check, by how much, against what bound, and
// why in words an operator can act on.
type Flag struct {
	Check      string  `json:"check"`
	Difference float64 `json:"difference"`
	Threshold  float64 `json:"threshold"`
	Unit       string  `json:"unit"`
	Reason     string  `json:"reason"`
}

// Reference is what a SKU's photos are compared with: the per-statistic
// median of its master views when it has three or more (one odd view
// cannot move a median), else its primary view (the swatch view, else the
// first), which is the hero shot a photographer matches the others to.
// Hub photos never make the reference: they are what is being checked.
type Reference struct {
	Basis string `json:"basis"`
	// WhiteBalanceMethod is neutral when every photo of the SKU has enough
	// near-neutral pixels; else grey_world, which compares a hub photo
	// only with its own view's master (the same content), and leaves the
	// masters unjudged.
	WhiteBalanceMethod string  `json:"white_balance_method"`
	A                  float64 `json:"a"`
	B                  float64 `json:"b"`
	ExposureL          float64 `json:"exposure_l"`
}

// Photo is one original of a SKU with its measurement and its flags.
type Photo struct {
	View string `json:"view"`
	Hub  string `json:"hub,omitempty"`
	Key  string `json:"key"`
	ETag string `json:"etag"`
	// Measurement is nil when the photo could not be measured (Error).
	Measurement *PhotoMeasurement `json:"measurement,omitempty"`
	Error       string            `json:"error,omitempty"`
	// WhiteBalanceDelta and ExposureStops are the photo's differences from
	// the reference as served (nil when not judged).
	WhiteBalanceDelta *float64 `json:"white_balance_delta,omitempty"`
	ExposureStops     *float64 `json:"exposure_stops,omitempty"`
	Flags             []Flag   `json:"flags"`
}

// Compare fills the reference of a SKU's photos and flags each photo that
// differs from it by more than th. primary is the SKU's primary view;
// swatchView its swatch view ("" without a swatch), whose photos also get
// the swatch check.
func Compare(photos []Photo, primary, swatchView string, th Thresholds) Reference {
	ref := reference(photos, primary)
	for i := range photos {
		p := &photos[i]
		p.Flags = []Flag{}
		if p.Measurement == nil {
			continue
		}
		if ref.Basis != "" { // else the primary view could not be measured
			judgeExposure(p, ref, th)
			judgeWhiteBalance(p, photos, ref, th)
		}
		if p.View == swatchView {
			judgeSwatch(p, ref, th)
		}
	}
	return ref
}

// judgeExposure flags a photo keyed brighter or darker than the reference.
func judgeExposure(p *Photo, ref Reference, th Thresholds) {
	l := p.Measurement.AsServed().Exposure.L
	stops := stopsBetween(l, ref.ExposureL)
	p.ExposureStops = &stops
	if math.Abs(stops) <= th.ExposureStops {
		return
	}
	word := "overexposed"
	if stops < 0 {
		word = "underexposed"
	}
	p.Flags = append(p.Flags, Flag{Check: CheckExposure, Difference: round2(stops), Threshold: th.ExposureStops, Unit: "stops",
		Reason: fmt.Sprintf("%s: %+.2f stops vs %s (L* %.1f vs %.1f), threshold %g", word, stops, ref.Basis, l, ref.ExposureL, th.ExposureStops)})
}

// judgeWhiteBalance flags a photo whose neutrals sit away from the
// reference's in the a*b* plane.
func judgeWhiteBalance(p *Photo, photos []Photo, ref Reference, th Thresholds) {
	served := p.Measurement.AsServed().WhiteBalance
	a, b := castOf(served, ref.WhiteBalanceMethod)
	refA, refB, basis := ref.A, ref.B, ref.Basis
	if ref.WhiteBalanceMethod == MethodGreyWorld {
		master := masterOf(photos, p.View)
		if p.Hub == "" || master == nil || master.Measurement == nil {
			return // grey world compares only the same content
		}
		refA, refB = castOf(master.Measurement.Shot.WhiteBalance, MethodGreyWorld)
		basis = "the " + p.View + " master (grey world)"
	}
	da, db := a-refA, b-refB
	dist := math.Hypot(da, db)
	p.WhiteBalanceDelta = &dist
	if dist <= th.WhiteBalance {
		return
	}
	reason := fmt.Sprintf("%s: b* %+.1f, a* %+.1f vs %s (Δa*b* %.1f), threshold %g", castName(da, db), db, da, basis, dist, th.WhiteBalance)
	if shotA, shotB := castOf(p.Measurement.Shot.WhiteBalance, ref.WhiteBalanceMethod); p.Measurement.Served != nil &&
		math.Hypot(shotA-refA, shotB-refB) <= th.WhiteBalance {
		reason += "; as shot it matched: the swatch calibration tints it, check the swatch"
	}
	p.Flags = append(p.Flags, Flag{Check: CheckWhiteBalance, Difference: round2(dist), Threshold: th.WhiteBalance, Unit: "Δa*b*", Reason: reason})
}

// judgeSwatch flags a swatch-view photo whose product colour is off: as
// served (calibration could not reach the declared colour: its gains are
// clamped), or as shot while the photo's light matches the gallery — then
// the difference is the product or the declaration, not the studio light,
// and calibration would tint the whole photo to hide it.
func judgeSwatch(p *Photo, ref Reference, th Thresholds) {
	m := p.Measurement
	served := m.AsServed().Swatch
	if served == nil {
		return
	}
	if served.DeltaE > th.SwatchDeltaE {
		p.Flags = append(p.Flags, Flag{Check: CheckSwatch, Difference: round2(served.DeltaE), Threshold: th.SwatchDeltaE, Unit: "ΔE2000",
			Reason: fmt.Sprintf("swatch ΔE2000 %.1f from the declared colour even after calibration, threshold %g", served.DeltaE, th.SwatchDeltaE)})
		return
	}
	shot := m.Shot.Swatch
	if shot == nil || shot.DeltaE <= th.SwatchDeltaE || !lightMatches(m.Shot, ref, th) {
		return
	}
	p.Flags = append(p.Flags, Flag{Check: CheckSwatch, Difference: round2(shot.DeltaE), Threshold: th.SwatchDeltaE, Unit: "ΔE2000",
		Reason: fmt.Sprintf("swatch ΔE2000 %.1f from the declared colour (measured L*a*b* %.1f %.1f %.1f) while the light matches %s: the product or the declaration differs, threshold %g",
			shot.DeltaE, shot.Lab[0], shot.Lab[1], shot.Lab[2], ref.Basis, th.SwatchDeltaE)})
}

// lightMatches reports whether a photo as shot agrees with the reference
// on white balance and exposure.
func lightMatches(shot Measurement, ref Reference, th Thresholds) bool {
	a, b := castOf(shot.WhiteBalance, ref.WhiteBalanceMethod)
	wbOK := ref.WhiteBalanceMethod == MethodGreyWorld || math.Hypot(a-ref.A, b-ref.B) <= th.WhiteBalance
	return ref.Basis != "" && wbOK && math.Abs(stopsBetween(shot.Exposure.L, ref.ExposureL)) <= th.ExposureStops
}

// castName names a cast by its larger axis, as a photographer would.
func castName(da, db float64) string {
	switch {
	case math.Abs(db) >= math.Abs(da) && db > 0:
		return "warm cast"
	case math.Abs(db) >= math.Abs(da):
		return "cool cast"
	case da > 0:
		return "magenta cast"
	default:
		return "green cast"
	}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
