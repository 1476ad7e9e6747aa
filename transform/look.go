package transform

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Space is an output colour space.
type Space string

// Output spaces: every variant is converted to one and carries its compact
// ICC profile.
const (
	SRGB      Space = "srgb"
	DisplayP3 Space = "p3"
)

// Tone adjusts white balance, saturation and exposure in linear light.
type Tone struct {
	// Temperature shifts white balance: + warmer, - cooler. 100 units move
	// the red and blue gains by about 5 % each way.
	Temperature float64
	// Saturation scales colourfulness around each pixel's luminance; 0 or 1
	// leaves it unchanged.
	Saturation float64
	// Exposure in stops.
	Exposure float64
}

func (t Tone) isZero() bool {
	return t.Temperature == 0 && (t.Saturation == 0 || t.Saturation == 1) && t.Exposure == 0
}

// Swatch is where the product colour can be measured and what it should be.
type Swatch struct {
	Rect [4]float64 // x, y, w, h as fractions of the oriented source
	Lab  colour.Lab // CIELAB D50
}

// Look is everything about a variant's colour: the locale's profile and the
// SKU's swatch. Together with Spec it determines the output bytes.
type Look struct {
	Space Space
	// Intent is recorded for the cache key and logs. Output profiles are
	// matrix/TRC profiles, for which every intent but absolute colorimetric
	// gives the same result.
	Intent string
	Tone   Tone
	// Swatch, when set, calibrates the photo toward the declared colour and
	// reports the remaining ΔE2000.
	Swatch *Swatch
	// Calibrate turns the swatch correction on (QA is measured either way).
	Calibrate bool
}

// Canonical is the look's cache-key form.
func (l Look) Canonical() string {
	var b strings.Builder
	space := l.Space
	if space == "" {
		space = SRGB
	}
	b.WriteString("space=" + string(space))
	if !l.Tone.isZero() {
		fmt.Fprintf(&b, ",tone=%s/%s/%s", num(l.Tone.Temperature), num(l.Tone.Saturation), num(l.Tone.Exposure))
	}
	if s := l.Swatch; s != nil {
		fmt.Fprintf(&b, ",swatch=%s/%s/%s/%s@%s/%s/%s", num(s.Rect[0]), num(s.Rect[1]), num(s.Rect[2]), num(s.Rect[3]),
			num(s.Lab.L), num(s.Lab.A), num(s.Lab.B))
		if l.Calibrate {
			b.WriteString(",calibrate")
		}
	}
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

func (l Look) rgbSpace() colour.RGBSpace {
	if l.Space == DisplayP3 {
		return colour.DisplayP3
	}
	return colour.SRGB
}
