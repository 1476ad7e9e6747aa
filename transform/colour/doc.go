// Package colour owns the colour science the render pipeline and its tests
// share: conversions between RGB spaces, CIE XYZ and CIELAB (relative to D50,
// the ICC profile connection space white, which is what catalog swatch Lab
// values are measured against), colour difference (ΔE2000, ΔE76), and the
// compact ICC v2 display profiles we embed in rendered variants, together
// with the small reader the tests use to tell which profile an image carries.
//
// It is pure Go and knows nothing of libvips: transform calls it with numbers
// and bytes, and tests can check its arithmetic without an image in sight.
package colour
