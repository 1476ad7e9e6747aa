package colour

import "math"

// Lab is a CIELAB colour relative to the D50 white (L in 0..100).
type Lab struct{ L, A, B float64 }

// XYZ is a CIE 1931 tristimulus value with Y = 1 for the reference white.
type XYZ struct{ X, Y, Z float64 }

// Reference whites (Y = 1). These are the ASTM E308 tabulated values, the
// ones the widely published Bradford-adapted matrices and Lab tables use, so
// our numbers can be checked against them digit for digit.
var (
	D50 = XYZ{0.96422, 1, 0.82521}
	D65 = XYZ{0.95047, 1, 1.08883}
)

// iccD50 is the ICC profile connection space illuminant, as the ICC spec
// writes it (and lcms uses it). It differs from D50 in the fourth decimal;
// profiles are built against it so that their columns sum to their white.
var iccD50 = XYZ{0.9642, 1, 0.8249}

const (
	labEpsilon = 216.0 / 24389.0 // (6/29)^3
	labKappa   = 24389.0 / 27.0  // (29/3)^3
)

// XYZD50ToLab converts XYZ (relative to D50) to CIELAB D50.
func XYZD50ToLab(c XYZ) Lab {
	fx := labF(c.X / D50.X)
	fy := labF(c.Y / D50.Y)
	fz := labF(c.Z / D50.Z)
	return Lab{L: 116*fy - 16, A: 500 * (fx - fy), B: 200 * (fy - fz)}
}

// LabToXYZD50 converts CIELAB D50 to XYZ relative to D50.
func LabToXYZD50(c Lab) XYZ {
	fy := (c.L + 16) / 116
	fx := fy + c.A/500
	fz := fy - c.B/200
	var y float64
	if c.L > labKappa*labEpsilon {
		y = fy * fy * fy
	} else {
		y = c.L / labKappa
	}
	return XYZ{X: labFInv(fx) * D50.X, Y: y * D50.Y, Z: labFInv(fz) * D50.Z}
}

func labF(t float64) float64 {
	if t > labEpsilon {
		return math.Cbrt(t)
	}
	return (labKappa*t + 16) / 116
}

func labFInv(f float64) float64 {
	if f3 := f * f * f; f3 > labEpsilon {
		return f3
	}
	return (116*f - 16) / labKappa
}

// SRGBToLab converts an 8-bit sRGB colour to CIELAB D50.
func SRGBToLab(r, g, b uint8) Lab {
	return SRGB.ToLab(float64(r)/255, float64(g)/255, float64(b)/255)
}

// SRGBFloatToLab converts sRGB components in 0..1 (encoded with the sRGB
// transfer function) to CIELAB D50.
func SRGBFloatToLab(r, g, b float64) Lab { return SRGB.ToLab(r, g, b) }

// LabToSRGB converts CIELAB D50 to encoded sRGB components in 0..1, clipped
// to that range; inGamut reports whether no clipping was needed.
func LabToSRGB(c Lab) (r, g, b float64, inGamut bool) { return SRGB.FromLab(c) }
