package forecast

// croston runs Croston's updates over y: z is the smoothed size of a
// non-zero demand, p the smoothed interval between them (in weeks), both
// updated only in weeks with demand and started at the first one (z: its
// size; p: the weeks up to and including it). ok is false without demand.
func croston(y []float64, alpha float64) (z, p float64, ok bool) {
	q := 1.0 // weeks since the last demand, counting this one
	for _, v := range y {
		if v <= 0 {
			q++
			continue
		}
		if !ok {
			z, p, ok = v, q, true
		} else {
			z += alpha * (v - z)
			p += alpha * (q - p)
		}
		q = 1
	}
	return z, p, ok
}

// CrostonForecast is Croston's method for intermittent demand: the
// smoothed demand size over the smoothed interval, z/p, flat.
func CrostonForecast(y []float64, alpha float64, h int) []float64 {
	z, p, ok := croston(y, alpha)
	if !ok {
		return flat(0, h)
	}
	return flat(z/p, h)
}

// SBAForecast is the Syntetos–Boylan approximation: Croston's z/p times
// (1 − α/2), which removes Croston's known upward bias.
func SBAForecast(y []float64, alpha float64, h int) []float64 {
	z, p, ok := croston(y, alpha)
	if !ok {
		return flat(0, h)
	}
	return flat((1-alpha/2)*z/p, h)
}

// TSBForecast is the Teunter–Syntetos–Babai method: the probability of a
// demand in a week (π, updated every week with β, so it decays while no
// demand comes: an item that stopped selling fades out) times the smoothed
// size (z, updated in weeks with demand with α). Both start at the first
// demand: z at its size, π at 1 / (weeks up to it).
func TSBForecast(y []float64, alpha, beta float64, h int) []float64 {
	var z, pi float64
	started := false
	for i, v := range y {
		if !started {
			if v > 0 {
				z, pi, started = v, 1/float64(i+1), true
			}
			continue
		}
		if v > 0 {
			pi += beta * (1 - pi)
			z += alpha * (v - z)
		} else {
			pi += beta * (0 - pi)
		}
	}
	return flat(pi*z, h)
}
