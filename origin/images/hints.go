package images

import (
	"math"
	"strings"
)

// Client hints a shop page delegates to the origin (Accept-CH plus a
// Permissions-Policy naming this host) so that .auto preset variants come at
// the pixel width the browser will draw them at.
//
// Only the Sec-CH- names are read. The legacy DPR, Width and Viewport-Width
// headers were dropped by Chromium, and honouring them would add three more
// names to every Vary, splitting CDN caches further for no browser in use.
const (
	hintDPR           = "Sec-CH-DPR"
	hintWidth         = "Sec-CH-Width"
	hintViewportWidth = "Sec-CH-Viewport-Width"
)

// acceptCH is sent on .auto responses. Browsers learn which hints to send
// from the page, not from an image; it is there for clients that fetch the
// image directly (a crawler, curl, an app's image loader).
const acceptCH = hintDPR + ", " + hintWidth + ", " + hintViewportWidth

// dprSteps are the device-pixel ratios variants are made at. Phones report
// 2.625, 2.75 or 3.5; rounding each to a step keeps one cache entry per
// step instead of one per handset model, and 3 is as dense as a photo on a
// phone held at arm's length benefits from.
var dprSteps = []float64{1, 1.5, 2, 3}

// widthLadder are the pixel widths a width hint snaps up to, so a shop whose
// slots are 317, 318 and 320 px wide shares one entry. Between rungs the
// bytes grow by at most ~1.6×, the price of a bounded number of entries.
var widthLadder = []int{160, 320, 480, 640, 800, 1080, 1280, 1600, 1920, 2560}

// clientHints are the hints of one request; zero means absent or malformed.
type clientHints struct {
	DPR           float64 // device pixels per CSS pixel
	Width         int     // the slot's width in device pixels
	ViewportWidth int     // the layout viewport's width in CSS pixels
}

// parseHints reads the hints through get (a header getter). Hints are
// advisory: a malformed one is treated as absent, never as a bad request.
func parseHints(get func(name string) string) clientHints {
	return clientHints{
		DPR:           parseDecimal(get(hintDPR)),
		Width:         parseInteger(get(hintWidth)),
		ViewportWidth: parseInteger(get(hintViewportWidth)),
	}
}

// box is a variant's requested width and height (0: follow the aspect).
type box struct{ Width, Height int }

// hintLimits bound what hints may ask for.
type hintLimits struct {
	MaxWidth, MaxHeight int     // the output limits
	MaxDPR              float64 // the configured ceiling (dprSteps' top caps it too)
	// Source is the original's size after orientation; zero when unknown
	// or when a larger box would change the output (enlarge, contain,
	// fill). Set, it caps the box where the source stops growing, so DPR 2
	// and 3 of a small source share one entry.
	Source box
}

// hintedBox is the box a preset is rendered at for these hints:
//
//   - the DPR is clamped to 1..3 (and MaxDPR) and rounded to the nearest of
//     dprSteps (ties up); without one it is 1;
//   - the preset box × DPR is the most the variant may be, never past the
//     output limits (aspect kept);
//   - a width hint (device pixels) snaps up to the next rung of widthLadder,
//     or, without one, the viewport width × DPR does (the image cannot be
//     usefully wider than the screen), and the result is capped as above;
//   - with neither, the preset box × DPR: no hints gives the preset itself,
//     the same cache entry as before hints were read.
//
// A height-only preset (width 0) has no width a hint could match: only the
// DPR applies to it.
func hintedBox(preset box, h clientHints, lim hintLimits) box {
	dpr := quantiseDPR(h.DPR, lim.MaxDPR)
	if preset.Width <= 0 {
		return box{Height: min(int(math.Round(float64(preset.Height)*dpr)), lim.MaxHeight)}
	}
	most := maxWidth(preset, dpr, lim)
	width := most
	switch {
	case h.Width > 0:
		width = min(snapUp(h.Width, most), most)
	case h.ViewportWidth > 0:
		width = min(snapUp(int(math.Round(float64(h.ViewportWidth)*dpr)), most), most)
	}
	return scaleTo(preset, width)
}

// maxWidth is the widest the preset may be at dpr: preset × dpr within the
// output limits, and no further than the box where the source stops
// growing (only ever above the preset's own width: below it nothing is
// cut, so a hintless request keeps its key).
func maxWidth(preset box, dpr float64, lim hintLimits) int {
	most := int(math.Round(float64(preset.Width) * dpr))
	most = min(most, lim.MaxWidth)
	if preset.Height > 0 {
		most = min(most, lim.MaxHeight*preset.Width/preset.Height)
	}
	if src := sourceWidth(preset, lim.Source); src > 0 && src < most {
		most = max(src, min(preset.Width, most))
	}
	return max(most, 1)
}

// sourceWidth is the width of the smallest box of the preset's aspect that
// holds the whole source at 1:1 (past it, inside and cover without enlarge
// render the same pixels); 0 when the source's size is unknown.
func sourceWidth(preset box, src box) int {
	if src.Width <= 0 || src.Height <= 0 {
		return 0
	}
	w := src.Width
	if preset.Height > 0 {
		// The box must reach the source's height too.
		w = max(w, int(math.Ceil(float64(src.Height)*float64(preset.Width)/float64(preset.Height))))
	}
	return w
}

// scaleTo is preset scaled to width, its aspect kept.
func scaleTo(preset box, width int) box {
	if preset.Height <= 0 {
		return box{Width: width}
	}
	return box{Width: width, Height: max(int(math.Round(float64(preset.Height)*float64(width)/float64(preset.Width))), 1)}
}

// quantiseDPR clamps a hinted DPR and rounds it to a step (0: absent, 1).
func quantiseDPR(dpr, maxDPR float64) float64 {
	top := dprSteps[len(dprSteps)-1]
	if maxDPR >= 1 {
		top = min(top, maxDPR)
	}
	dpr = min(max(dpr, 1), top)
	best := 1.0
	for _, s := range dprSteps {
		if s > top {
			break
		}
		if math.Abs(dpr-s) <= math.Abs(dpr-best) {
			best = s
		}
	}
	return best
}

// snapUp is the smallest ladder rung ≥ w, or most past the top rung.
func snapUp(w, most int) int {
	for _, r := range widthLadder {
		if r >= w {
			return r
		}
	}
	return most
}

// parseInteger reads an sf-integer hint (RFC 8941): digits only, here at
// most 5 (no screen is 100 000 px wide); 0 for anything else.
func parseInteger(v string) int {
	v = strings.Trim(v, " \t")
	if v == "" || len(v) > 5 {
		return 0
	}
	n := 0
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// parseDecimal reads an sf-decimal or sf-integer hint: digits with at most
// one dot and three decimals, as RFC 8941 allows; 0 for anything else (no
// signs, exponents, hex or NaN, which strconv.ParseFloat would accept).
func parseDecimal(v string) float64 {
	v = strings.Trim(v, " \t")
	whole, frac, dotted := strings.Cut(v, ".")
	if len(whole) == 0 || len(whole) > 3 || len(frac) > 3 || (dotted && frac == "") {
		return 0
	}
	n := parseInteger(whole)
	if n == 0 && strings.Trim(whole, "0") != "" {
		return 0
	}
	d := float64(n)
	scale := 0.1
	for _, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return 0
		}
		d += float64(c-'0') * scale
		scale /= 10
	}
	return d
}
