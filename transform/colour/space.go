package colour

import "math"

// TransferKind names the shape of an RGB space's transfer function.
type TransferKind uint8

const (
	// TransferSRGB is the piecewise sRGB curve of IEC 61966-2-1: linear
	// below 0.04045, a 2.4 power with offset above.
	TransferSRGB TransferKind = iota
	// TransferGamma is a pure power law, encoded = linear^(1/Gamma).
	TransferGamma
)

// Transfer maps between encoded component values and linear light.
type Transfer struct {
	Kind  TransferKind
	Gamma float64 // exponent of a TransferGamma curve; must be > 0
}

// SRGBTransfer is the sRGB curve.
func SRGBTransfer() Transfer { return Transfer{Kind: TransferSRGB} }

// GammaTransfer is the pure power law with exponent g (> 0).
func GammaTransfer(g float64) Transfer { return Transfer{Kind: TransferGamma, Gamma: g} }

// ToLinear decodes one component. Negative values (out of gamut after a
// conversion) are mirrored so the function stays monotonic and invertible.
func (t Transfer) ToLinear(v float64) float64 {
	if v < 0 {
		return -t.ToLinear(-v)
	}
	if t.Kind == TransferGamma {
		return math.Pow(v, t.Gamma)
	}
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// FromLinear encodes one component; the inverse of ToLinear.
func (t Transfer) FromLinear(v float64) float64 {
	if v < 0 {
		return -t.FromLinear(-v)
	}
	if t.Kind == TransferGamma {
		return math.Pow(v, 1/t.Gamma)
	}
	if v <= 0.0031308 {
		return v * 12.92
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// Chromaticity is a CIE 1931 xy chromaticity.
type Chromaticity struct{ X, Y float64 }

// xyz returns the chromaticity as XYZ with Y = 1.
func (c Chromaticity) xyz() XYZ { return XYZ{c.X / c.Y, 1, (1 - c.X - c.Y) / c.Y} }

// RGBSpace describes an additive RGB colour space by its primaries, its white
// and its transfer function. Build one with NewRGBSpace, which precomputes
// the conversion matrices; a literal RGBSpace works too, only slower, as its
// matrices are then derived on every call.
type RGBSpace struct {
	Name             string
	Red, Green, Blue Chromaticity
	White            XYZ // the space's white, Y = 1
	Transfer         Transfer

	m *spaceMatrices // derived from the fields above; never mutated
}

type spaceMatrices struct{ toD50, fromD50 mat3 }

// NewRGBSpace returns the space with its matrices precomputed.
func NewRGBSpace(name string, red, green, blue Chromaticity, white XYZ, tr Transfer) RGBSpace {
	s := RGBSpace{Name: name, Red: red, Green: green, Blue: blue, White: white, Transfer: tr}
	s.m = s.derive()
	return s
}

// The predefined spaces. Display P3 is Apple's: DCI-P3 primaries with a D65
// white and the sRGB curve. Adobe RGB (1998) uses gamma 563/256 (≈2.2),
// the value its specification gives and an ICC u8Fixed8 holds exactly.
// ProPhoto (ROMM RGB) is native D50, so it needs no adaptation.
var (
	SRGB = NewRGBSpace("sRGB",
		Chromaticity{0.64, 0.33}, Chromaticity{0.30, 0.60}, Chromaticity{0.15, 0.06},
		D65, SRGBTransfer())
	DisplayP3 = NewRGBSpace("Display P3",
		Chromaticity{0.680, 0.320}, Chromaticity{0.265, 0.690}, Chromaticity{0.150, 0.060},
		D65, SRGBTransfer())
	AdobeRGB = NewRGBSpace("Adobe RGB (1998)",
		Chromaticity{0.64, 0.33}, Chromaticity{0.21, 0.71}, Chromaticity{0.15, 0.06},
		D65, GammaTransfer(563.0/256.0))
	ProPhoto = NewRGBSpace("ProPhoto RGB",
		Chromaticity{0.7347, 0.2653}, Chromaticity{0.1596, 0.8404}, Chromaticity{0.0366, 0.0001},
		D50, GammaTransfer(1.8))
)

func (s RGBSpace) matrices() *spaceMatrices {
	if s.m != nil {
		return s.m
	}
	return s.derive()
}

func (s RGBSpace) derive() *spaceMatrices {
	to := s.linearToXYZ(D50)
	return &spaceMatrices{toD50: to, fromD50: to.inverse()}
}

// linearToXYZ is the matrix from linear RGB to XYZ relative to dst, Bradford
// adapted from the space's own white when the two differ.
func (s RGBSpace) linearToXYZ(dst XYZ) mat3 {
	r, g, b := s.Red.xyz(), s.Green.xyz(), s.Blue.xyz()
	p := mat3{
		{r.X, g.X, b.X},
		{r.Y, g.Y, b.Y},
		{r.Z, g.Z, b.Z},
	}
	// Scale each primary so that RGB (1,1,1) lands on the white.
	sc := p.inverse().apply(s.White)
	for i := range 3 {
		p[i][0] *= sc.X
		p[i][1] *= sc.Y
		p[i][2] *= sc.Z
	}
	if s.White == dst {
		return p
	}
	return bradford(s.White, dst).mul(p)
}

// ToXYZD50 converts encoded components (nominally 0..1) to XYZ relative to D50.
func (s RGBSpace) ToXYZD50(r, g, b float64) XYZ {
	t := s.Transfer
	return s.matrices().toD50.apply(XYZ{t.ToLinear(r), t.ToLinear(g), t.ToLinear(b)})
}

// FromXYZD50 converts XYZ relative to D50 to encoded components. They are not
// clipped: a colour outside the space's gamut comes back below 0 or above 1.
func (s RGBSpace) FromXYZD50(c XYZ) (r, g, b float64) {
	l := s.matrices().fromD50.apply(c)
	t := s.Transfer
	return t.FromLinear(l.X), t.FromLinear(l.Y), t.FromLinear(l.Z)
}

// ToLab converts encoded components (0..1) to CIELAB D50.
func (s RGBSpace) ToLab(r, g, b float64) Lab { return XYZD50ToLab(s.ToXYZD50(r, g, b)) }

// gamutTolerance absorbs floating-point noise (a white that comes back as
// 1.0000000000002) without calling a real excursion in gamut.
const gamutTolerance = 1e-7

// FromLab converts CIELAB D50 to encoded components clipped to 0..1;
// inGamut reports whether no clipping was needed.
func (s RGBSpace) FromLab(c Lab) (r, g, b float64, inGamut bool) {
	r, g, b = s.FromXYZD50(LabToXYZD50(c))
	inGamut = true
	clip := func(v float64) float64 {
		switch {
		case v < 0:
			inGamut = inGamut && v > -gamutTolerance
			return 0
		case v > 1:
			inGamut = inGamut && v < 1+gamutTolerance
			return 1
		case math.IsNaN(v):
			inGamut = false
			return 0
		}
		return v
	}
	return clip(r), clip(g), clip(b), inGamut
}

// mat3 is a row-major 3×3 matrix acting on column vectors.
type mat3 [3][3]float64

func (m mat3) apply(v XYZ) XYZ {
	return XYZ{
		m[0][0]*v.X + m[0][1]*v.Y + m[0][2]*v.Z,
		m[1][0]*v.X + m[1][1]*v.Y + m[1][2]*v.Z,
		m[2][0]*v.X + m[2][1]*v.Y + m[2][2]*v.Z,
	}
}

func (m mat3) mul(n mat3) mat3 {
	var p mat3
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				p[i][j] += m[i][k] * n[k][j]
			}
		}
	}
	return p
}

// inverse by cofactors; the matrices here (primaries, Bradford) are far from
// singular, so no pivoting is needed.
func (m mat3) inverse() mat3 {
	a, b, c := m[0][0], m[0][1], m[0][2]
	d, e, f := m[1][0], m[1][1], m[1][2]
	g, h, i := m[2][0], m[2][1], m[2][2]
	A, B, C := e*i-f*h, -(d*i - f*g), d*h-e*g
	det := a*A + b*B + c*C
	return mat3{
		{A / det, -(b*i - c*h) / det, (b*f - c*e) / det},
		{B / det, (a*i - c*g) / det, -(a*f - c*d) / det},
		{C / det, -(a*h - b*g) / det, (a*e - b*d) / det},
	}
}

// bradfordCone is the Bradford cone-response matrix (Lam 1985), the one ICC
// v4 and the published D65→D50 RGB matrices use.
var bradfordCone = mat3{
	{0.8951, 0.2664, -0.1614},
	{-0.7502, 1.7135, 0.0367},
	{0.0389, -0.0685, 1.0296},
}

// bradford returns the chromatic adaptation matrix from white src to dst.
func bradford(src, dst XYZ) mat3 {
	s, d := bradfordCone.apply(src), bradfordCone.apply(dst)
	scale := mat3{{d.X / s.X, 0, 0}, {0, d.Y / s.Y, 0}, {0, 0, d.Z / s.Z}}
	return bradfordCone.inverse().mul(scale).mul(bradfordCone)
}
