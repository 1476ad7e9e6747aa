package gallery

import (
	"fmt"
	"slices"
)

// medianMinViews is how many master views the median reference needs: with
// two, the median is their mean and one bad view drags it half way.
const medianMinViews = 3

// reference builds a SKU's reference from its masters as shot.
func reference(photos []Photo, primary string) Reference {
	method := MethodNeutral
	for _, p := range photos {
		if m := p.Measurement; m != nil && (!m.Shot.WhiteBalance.Neutral || !m.AsServed().WhiteBalance.Neutral) {
			method = MethodGreyWorld
		}
	}
	var masters []Measurement
	for _, p := range photos {
		if p.Hub == "" && p.Measurement != nil {
			masters = append(masters, p.Measurement.Shot)
		}
	}
	ref := Reference{WhiteBalanceMethod: method}
	if len(masters) >= medianMinViews {
		ref.Basis = fmt.Sprintf("the median of %d views", len(masters))
		var as, bs, ls []float64
		for _, m := range masters {
			a, b := castOf(m.WhiteBalance, method)
			as, bs, ls = append(as, a), append(bs, b), append(ls, m.Exposure.L)
		}
		ref.A, ref.B, ref.ExposureL = median(as), median(bs), median(ls)
		return ref
	}
	master := masterOf(photos, primary)
	if master == nil || master.Measurement == nil {
		return ref
	}
	ref.Basis = "the primary view " + primary
	ref.A, ref.B = castOf(master.Measurement.Shot.WhiteBalance, method)
	ref.ExposureL = master.Measurement.Shot.Exposure.L
	return ref
}

// castOf is a white balance by the SKU's method.
func castOf(wb WhiteBalance, method string) (a, b float64) {
	if method == MethodNeutral {
		return wb.A, wb.B
	}
	return wb.GreyWorldA, wb.GreyWorldB
}

// masterOf finds the master photo of a view.
func masterOf(photos []Photo, view string) *Photo {
	for i := range photos {
		if photos[i].View == view && photos[i].Hub == "" {
			return &photos[i]
		}
	}
	return nil
}

// median of a few values; 0 for none.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}
