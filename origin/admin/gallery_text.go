package admin

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/edgeshelf/edgeshelf/gallery"
)

// galleryText is the report as a table an operator reads in a terminal:
// one row per photo with its differences from the SKU's reference, then
// one line per flag with its reason.
func galleryText(r galleryReport) string {
	var b strings.Builder
	th := r.Thresholds
	fmt.Fprintf(&b, "gallery consistency: %d flagged photo(s); thresholds: white balance %g Δa*b*, exposure %g stops, swatch %g ΔE2000\n\n",
		r.Flagged, th.WhiteBalance, th.ExposureStops, th.SwatchDeltaE)
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SKU\tPHOTO\tWB Δa*b*\tEXPOSURE\tSWATCH ΔE\tFLAGS")
	for _, rep := range r.SKUs {
		for _, p := range rep.Photos {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", rep.SKU, photoName(p), optional("%.1f", p.WhiteBalanceDelta),
				optional("%+.2f", p.ExposureStops), swatchCell(p), flagCell(p))
		}
	}
	_ = w.Flush() // a strings.Builder does not fail
	for _, rep := range r.SKUs {
		for _, p := range rep.Photos {
			for _, f := range p.Flags {
				fmt.Fprintf(&b, "\n%s %s  %s: %s", rep.SKU, photoName(p), f.Check, f.Reason)
			}
			if p.Error != "" {
				fmt.Fprintf(&b, "\n%s %s  not measured: %s", rep.SKU, photoName(p), p.Error)
			}
		}
	}
	if r.Flagged > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// photoName is view or view@hub.
func photoName(p gallery.Photo) string {
	if p.Hub == "" {
		return p.View
	}
	return p.View + "@" + p.Hub
}

// optional formats a value that may not have been judged.
func optional(format string, v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

// swatchCell is the swatch ΔE2000 as shot and, for a calibrated photo,
// as served.
func swatchCell(p gallery.Photo) string {
	m := p.Measurement
	if m == nil || m.Shot.Swatch == nil {
		return "-"
	}
	if m.Served == nil || m.Served.Swatch == nil {
		return fmt.Sprintf("%.1f", m.Shot.Swatch.DeltaE)
	}
	return fmt.Sprintf("%.1f→%.1f", m.Shot.Swatch.DeltaE, m.Served.Swatch.DeltaE)
}

// flagCell lists a photo's flagged checks, "error" when it was not
// measured, "-" when it is fine.
func flagCell(p gallery.Photo) string {
	if p.Error != "" {
		return "error"
	}
	if len(p.Flags) == 0 {
		return "-"
	}
	checks := make([]string, len(p.Flags))
	for i, f := range p.Flags {
		checks[i] = f.Check
	}
	return strings.Join(checks, ",")
}
