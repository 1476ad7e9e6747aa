package colour

import (
	"fmt"
	"math"
	"testing"
)

var allSpaces = []RGBSpace{SRGB, DisplayP3, AdobeRGB, ProPhoto}

func TestKnownLabValues(t *testing.T) {
	tests := []struct {
		name    string
		r, g, b uint8
		want    Lab
		tol     float64
	}{
		{"white", 255, 255, 255, Lab{100, 0, 0}, 1e-9},
		{"black", 0, 0, 0, Lab{0, 0, 0}, 1e-9},
		// D50, Bradford: the value d3-color and culori publish in their tests.
		{"red", 255, 0, 0, Lab{54.29173376861782, 80.8124553179771, 69.88504032350531}, 1e-4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SRGBToLab(tt.r, tt.g, tt.b)
			if DeltaE76(got, tt.want) > tt.tol {
				t.Errorf("SRGBToLab(%d,%d,%d) = %v, want %v", tt.r, tt.g, tt.b, got, tt.want)
			}
			f := SRGBFloatToLab(float64(tt.r)/255, float64(tt.g)/255, float64(tt.b)/255)
			if f != got {
				t.Errorf("SRGBFloatToLab = %v, SRGBToLab = %v", f, got)
			}
		})
	}
}

// TestMatricesMatchPublished checks the matrices derived from primaries
// against Lindbloom's published Bradford-adapted RGB→XYZ(D50) matrices
// (seven decimals), which use the same ASTM white points.
func TestMatricesMatchPublished(t *testing.T) {
	tests := []struct {
		space RGBSpace
		want  mat3
	}{
		{SRGB, mat3{
			{0.4360747, 0.3850649, 0.1430804},
			{0.2225045, 0.7168786, 0.0606169},
			{0.0139322, 0.0971045, 0.7141733},
		}},
		{AdobeRGB, mat3{
			{0.6097559, 0.2052401, 0.1492240},
			{0.3111242, 0.6256560, 0.0632197},
			{0.0194811, 0.0608902, 0.7448387},
		}},
		{ProPhoto, mat3{
			{0.7976749, 0.1351917, 0.0313534},
			{0.2880402, 0.7118741, 0.0000857},
			{0.0000000, 0.0000000, 0.8252100},
		}},
	}
	for _, tt := range tests {
		for col := range 3 {
			var rgb [3]float64
			rgb[col] = 1
			got := tt.space.ToXYZD50(rgb[0], rgb[1], rgb[2])
			for row, v := range [3]float64{got.X, got.Y, got.Z} {
				if math.Abs(v-tt.want[row][col]) > 1e-7 {
					t.Errorf("%s: M[%d][%d] = %.8f, want %.7f", tt.space.Name, row, col, v, tt.want[row][col])
				}
			}
		}
	}
	b := bradford(D65, D50)
	wantB := mat3{
		{1.0478112, 0.0228866, -0.0501270},
		{0.0295424, 0.9904844, -0.0170491},
		{-0.0092345, 0.0150436, 0.7521316},
	}
	for i := range 3 {
		for j := range 3 {
			if math.Abs(b[i][j]-wantB[i][j]) > 1e-7 {
				t.Errorf("Bradford D65→D50 [%d][%d] = %.8f, want %.7f", i, j, b[i][j], wantB[i][j])
			}
		}
	}
}

func TestWhiteMapsToD50(t *testing.T) {
	for _, s := range allSpaces {
		got := s.ToXYZD50(1, 1, 1)
		if math.Abs(got.X-D50.X) > 1e-12 || math.Abs(got.Y-1) > 1e-12 || math.Abs(got.Z-D50.Z) > 1e-12 {
			t.Errorf("%s white = %v, want D50 %v", s.Name, got, D50)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	const steps = 12
	for _, s := range allSpaces {
		// A literal space (no precomputed matrices) must agree with the built one.
		literal := RGBSpace{Name: s.Name, Red: s.Red, Green: s.Green, Blue: s.Blue, White: s.White, Transfer: s.Transfer}
		t.Run(s.Name, func(t *testing.T) {
			for i := 0; i <= steps; i++ {
				for j := 0; j <= steps; j++ {
					for k := 0; k <= steps; k++ {
						r, g, b := float64(i)/steps, float64(j)/steps, float64(k)/steps
						lab := s.ToLab(r, g, b)
						r2, g2, b2, ok := s.FromLab(lab)
						if !ok || math.Abs(r2-r) > 1e-6 || math.Abs(g2-g) > 1e-6 || math.Abs(b2-b) > 1e-6 {
							t.Fatalf("(%v,%v,%v) → %v → (%v,%v,%v) inGamut=%v", r, g, b, lab, r2, g2, b2, ok)
						}
						if l2 := literal.ToLab(r, g, b); DeltaE76(l2, lab) > 1e-9 {
							t.Fatalf("literal space gives %v, built %v", l2, lab)
						}
					}
				}
			}
		})
	}
	for v := range 256 {
		c := uint8(v)
		r, g, b, ok := LabToSRGB(SRGBToLab(c, 255-c, c/2))
		if !ok || math.Abs(r*255-float64(c)) > 1e-6 || math.Abs(g*255-float64(255-c)) > 1e-6 ||
			math.Abs(b*255-float64(c/2)) > 1e-6 {
			t.Fatalf("8-bit sRGB (%d,%d,%d) came back as (%v,%v,%v) inGamut=%v", c, 255-c, c/2, r*255, g*255, b*255, ok)
		}
	}
}

func TestTransferInverse(t *testing.T) {
	for _, tr := range []Transfer{SRGBTransfer(), GammaTransfer(563.0 / 256), GammaTransfer(1.8)} {
		for i := -100; i <= 200; i++ {
			v := float64(i) / 100
			if got := tr.FromLinear(tr.ToLinear(v)); math.Abs(got-v) > 1e-9 {
				t.Errorf("%+v: %v → %v", tr, v, got)
			}
		}
	}
}

func TestWideGamutPrimariesOutsideSRGB(t *testing.T) {
	tests := []struct {
		space   RGBSpace
		r, g, b float64
		inSRGB  bool
	}{
		{DisplayP3, 1, 0, 0, false},
		{DisplayP3, 0, 1, 0, false},
		{AdobeRGB, 1, 0, 0, false}, // sRGB's red chromaticity, but brighter than sRGB can go
		{AdobeRGB, 0, 1, 0, false},
		{ProPhoto, 1, 0, 0, false},
		{DisplayP3, 0.5, 0.5, 0.5, true},
		{DisplayP3, 1, 1, 1, true},
		{AdobeRGB, 0.2, 0.4, 0.6, false}, // a teal sRGB cannot reach
		{AdobeRGB, 0.5, 0.45, 0.4, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s(%v,%v,%v)", tt.space.Name, tt.r, tt.g, tt.b), func(t *testing.T) {
			r, g, b, ok := LabToSRGB(tt.space.ToLab(tt.r, tt.g, tt.b))
			if ok != tt.inSRGB {
				t.Errorf("inGamut = %v, want %v", ok, tt.inSRGB)
			}
			for _, v := range []float64{r, g, b} {
				if v < 0 || v > 1 {
					t.Errorf("component %v not clipped to 0..1", v)
				}
			}
		})
	}
}
