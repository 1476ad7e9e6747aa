package colour

import "math"

// DeltaE76 is the CIE 1976 colour difference: Euclidean distance in Lab.
func DeltaE76(a, b Lab) float64 {
	return math.Sqrt(sq(a.L-b.L) + sq(a.A-b.A) + sq(a.B-b.B))
}

// pow25to7 is 25^7, the chroma constant of the G and R_C terms.
const pow25to7 = 6103515625.0

// DeltaE2000 is the CIEDE2000 colour difference with kL = kC = kH = 1,
// following Sharma, Wu & Dalal (2005), including their conventions for the
// hue of achromatic colours and for mean hues across the 0°/360° seam.
func DeltaE2000(c1, c2 Lab) float64 {
	cab := (math.Hypot(c1.A, c1.B) + math.Hypot(c2.A, c2.B)) / 2
	cab7 := math.Pow(cab, 7)
	g := 0.5 * (1 - math.Sqrt(cab7/(cab7+pow25to7)))

	a1, a2 := (1+g)*c1.A, (1+g)*c2.A
	cp1, cp2 := math.Hypot(a1, c1.B), math.Hypot(a2, c2.B)
	hp1, hp2 := hueDeg(c1.B, a1), hueDeg(c2.B, a2)

	dL := c2.L - c1.L
	dC := cp2 - cp1
	var dh float64
	if cp1*cp2 != 0 {
		dh = hp2 - hp1
		if dh > 180 {
			dh -= 360
		} else if dh < -180 {
			dh += 360
		}
	}
	dH := 2 * math.Sqrt(cp1*cp2) * math.Sin(rad(dh/2))

	lBar := (c1.L + c2.L) / 2
	cBar := (cp1 + cp2) / 2
	hBar := hp1 + hp2
	if cp1*cp2 != 0 {
		switch {
		case math.Abs(hp1-hp2) <= 180:
			hBar /= 2
		case hBar < 360:
			hBar = (hBar + 360) / 2
		default:
			hBar = (hBar - 360) / 2
		}
	}

	t := 1 - 0.17*math.Cos(rad(hBar-30)) + 0.24*math.Cos(rad(2*hBar)) +
		0.32*math.Cos(rad(3*hBar+6)) - 0.20*math.Cos(rad(4*hBar-63))
	dTheta := 30 * math.Exp(-sq((hBar-275)/25))
	cBar7 := math.Pow(cBar, 7)
	rc := 2 * math.Sqrt(cBar7/(cBar7+pow25to7))
	l50 := sq(lBar - 50)
	sl := 1 + 0.015*l50/math.Sqrt(20+l50)
	sc := 1 + 0.045*cBar
	sh := 1 + 0.015*cBar*t
	rt := -math.Sin(rad(2*dTheta)) * rc

	tl, tc, th := dL/sl, dC/sc, dH/sh
	return math.Sqrt(tl*tl + tc*tc + th*th + rt*tc*th)
}

// MeanDeltaE2000 is the mean of DeltaE2000 over corresponding pairs. It
// returns NaN for empty input (no measurement is not a perfect one) and
// panics if the slices differ in length, which is a caller's bug.
func MeanDeltaE2000(a, b []Lab) float64 {
	if len(a) != len(b) {
		panic("colour: MeanDeltaE2000 of slices of different lengths")
	}
	if len(a) == 0 {
		return math.NaN()
	}
	var sum float64
	for i := range a {
		sum += DeltaE2000(a[i], b[i])
	}
	return sum / float64(len(a))
}

// hueDeg is atan2 in degrees in [0, 360), 0 for an achromatic colour.
func hueDeg(b, a float64) float64 {
	if a == 0 && b == 0 {
		return 0
	}
	h := math.Atan2(b, a) * 180 / math.Pi
	if h < 0 {
		h += 360
	}
	return h
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

func sq(x float64) float64 { return x * x }
