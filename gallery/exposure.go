package gallery

import (
	"math"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// exposureQuantile picks the key a photographer meters product shots by:
// the bright end of the frame (the lit backdrop and the product's lit
// side) rather than the median, which moves with how much of the frame a
// box fills compared with a slim bottle. Only the top few per cent are
// skipped, so specular highlights and a blown backdrop do not pin it at
// 100 for every photo.
const exposureQuantile = 0.90

// Exposure is how bright a photo is keyed: L* at exposureQuantile and the
// median L*, for the report.
type Exposure struct {
	L      float64 `json:"l"`
	Median float64 `json:"median_l"`
}

// exposure measures a photo's key.
func exposure(lab []colour.Lab) Exposure {
	if len(lab) == 0 {
		return Exposure{}
	}
	h := newHistogram(0, 100, 0.05)
	for _, p := range lab {
		h.add(p.L)
	}
	return Exposure{L: h.quantile(exposureQuantile), Median: h.quantile(0.5)}
}

// stopsBetween is how many stops brighter L* a is than b, through
// luminance (Y doubles per stop).
func stopsBetween(a, b float64) float64 {
	ya := colour.LabToXYZD50(colour.Lab{L: a}).Y
	yb := colour.LabToXYZD50(colour.Lab{L: b}).Y
	if ya <= 0 || yb <= 0 {
		return 0
	}
	return math.Log2(ya / yb)
}
