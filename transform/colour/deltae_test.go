package colour

import (
	"math"
	"testing"
)

// sharmaPairs is Table 1 of Sharma, Wu & Dalal, "The CIEDE2000
// Color-Difference Formula: Implementation Notes, Supplementary Test Data,
// and Mathematical Observations", Color Res. Appl. 30 (2005): all 34 pairs,
// ΔE00 to four decimals. Pairs 7–16 probe the arctangent and the hue mean
// across the 0°/360° seam; 17–20 are large differences; 21–34 come from the
// CIE technical report.
var sharmaPairs = []struct {
	a, b Lab
	want float64
}{
	{Lab{50.0000, 2.6772, -79.7751}, Lab{50.0000, 0.0000, -82.7485}, 2.0425},
	{Lab{50.0000, 3.1571, -77.2803}, Lab{50.0000, 0.0000, -82.7485}, 2.8615},
	{Lab{50.0000, 2.8361, -74.0200}, Lab{50.0000, 0.0000, -82.7485}, 3.4412},
	{Lab{50.0000, -1.3802, -84.2814}, Lab{50.0000, 0.0000, -82.7485}, 1.0000},
	{Lab{50.0000, -1.1848, -84.8006}, Lab{50.0000, 0.0000, -82.7485}, 1.0000},
	{Lab{50.0000, -0.9009, -85.5211}, Lab{50.0000, 0.0000, -82.7485}, 1.0000},
	{Lab{50.0000, 0.0000, 0.0000}, Lab{50.0000, -1.0000, 2.0000}, 2.3669},
	{Lab{50.0000, -1.0000, 2.0000}, Lab{50.0000, 0.0000, 0.0000}, 2.3669},
	{Lab{50.0000, 2.4900, -0.0010}, Lab{50.0000, -2.4900, 0.0009}, 7.1792},
	{Lab{50.0000, 2.4900, -0.0010}, Lab{50.0000, -2.4900, 0.0010}, 7.1792},
	{Lab{50.0000, 2.4900, -0.0010}, Lab{50.0000, -2.4900, 0.0011}, 7.2195},
	{Lab{50.0000, 2.4900, -0.0010}, Lab{50.0000, -2.4900, 0.0012}, 7.2195},
	{Lab{50.0000, -0.0010, 2.4900}, Lab{50.0000, 0.0009, -2.4900}, 4.8045},
	{Lab{50.0000, -0.0010, 2.4900}, Lab{50.0000, 0.0010, -2.4900}, 4.8045},
	{Lab{50.0000, -0.0010, 2.4900}, Lab{50.0000, 0.0011, -2.4900}, 4.7461},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{50.0000, 0.0000, -2.5000}, 4.3065},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{73.0000, 25.0000, -18.0000}, 27.1492},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{61.0000, -5.0000, 29.0000}, 22.8977},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{56.0000, -27.0000, -3.0000}, 31.9030},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{58.0000, 24.0000, 15.0000}, 19.4535},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{50.0000, 3.1736, 0.5854}, 1.0000},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{50.0000, 3.2972, 0.0000}, 1.0000},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{50.0000, 1.8634, 0.5757}, 1.0000},
	{Lab{50.0000, 2.5000, 0.0000}, Lab{50.0000, 3.2592, 0.3350}, 1.0000},
	{Lab{60.2574, -34.0099, 36.2677}, Lab{60.4626, -34.1751, 39.4387}, 1.2644},
	{Lab{63.0109, -31.0961, -5.8663}, Lab{62.8187, -29.7946, -4.0864}, 1.2630},
	{Lab{61.2901, 3.7196, -5.3901}, Lab{61.4292, 2.2480, -4.9620}, 1.8731},
	{Lab{35.0831, -44.1164, 3.7933}, Lab{35.0232, -40.0716, 1.5901}, 1.8645},
	{Lab{22.7233, 20.0904, -46.6940}, Lab{23.0331, 14.9730, -42.5619}, 2.0373},
	{Lab{36.4612, 47.8580, 18.3852}, Lab{36.2715, 50.5065, 21.2231}, 1.4146},
	{Lab{90.8027, -2.0831, 1.4410}, Lab{91.1528, -1.6435, 0.0447}, 1.4441},
	{Lab{90.9257, -0.5406, -0.9208}, Lab{88.6381, -0.8985, -0.7239}, 1.5381},
	{Lab{6.7747, -0.2908, -2.4247}, Lab{5.8714, -0.0985, -2.2286}, 0.6377},
	{Lab{2.0776, 0.0795, -1.1350}, Lab{0.9033, -0.0636, -0.5514}, 0.9082},
}

func TestDeltaE2000SharmaPairs(t *testing.T) {
	if len(sharmaPairs) != 34 {
		t.Fatalf("have %d pairs, the published table has 34", len(sharmaPairs))
	}
	round4 := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
	for i, p := range sharmaPairs {
		got := DeltaE2000(p.a, p.b)
		if round4(got) != p.want {
			t.Errorf("pair %d: ΔE00(%v, %v) = %.6f, want %.4f", i+1, p.a, p.b, got, p.want)
		}
		if rev := DeltaE2000(p.b, p.a); math.Abs(rev-got) > 1e-12 {
			t.Errorf("pair %d: not symmetric: %.12f vs %.12f", i+1, got, rev)
		}
	}
}

func TestDeltaE2000Identity(t *testing.T) {
	for _, c := range []Lab{{}, {50, 0, 0}, {99.5, 0.005, -0.01}, {38.2, 21.5, 40.1}} {
		if d := DeltaE2000(c, c); d != 0 {
			t.Errorf("ΔE00(%v, itself) = %v", c, d)
		}
	}
}

func TestDeltaE76(t *testing.T) {
	if got := DeltaE76(Lab{50, 0, 0}, Lab{53, 4, 0}); got != 5 {
		t.Errorf("ΔE76 = %v, want 5", got)
	}
	if got := DeltaE76(Lab{50, 2.5, -80}, Lab{50, 0, -82.5}); math.Abs(got-2.5*math.Sqrt2) > 1e-12 {
		t.Errorf("ΔE76 = %v, want %v", got, 2.5*math.Sqrt2)
	}
}

func TestMeanDeltaE2000(t *testing.T) {
	var a, b []Lab
	var sum float64
	for _, p := range sharmaPairs {
		a, b = append(a, p.a), append(b, p.b)
		sum += DeltaE2000(p.a, p.b)
	}
	if got, want := MeanDeltaE2000(a, b), sum/float64(len(a)); math.Abs(got-want) > 1e-12 {
		t.Errorf("mean = %v, want %v", got, want)
	}
	if got := MeanDeltaE2000(nil, nil); !math.IsNaN(got) {
		t.Errorf("mean of nothing = %v, want NaN", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("mismatched lengths did not panic")
		}
	}()
	MeanDeltaE2000(a, b[1:])
}
