package images

import (
	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
)

// resolveAuto makes an .auto variant concrete: its format follows Accept
// and, for a preset, its box the client hints. Ad-hoc URLs keep their box:
// it was chosen (and signed) in the URL, with dpr= for density.
func (h *Handler) resolveAuto(c *fiber.Ctx, orig catalog.Original, req variantRequest, spec transform.Spec) (transform.Spec, error) {
	f, err := h.negotiate(c, orig)
	if err != nil {
		return spec, err
	}
	spec.Format = f
	if req.preset != "_" {
		spec = h.applyHints(c, orig, spec)
	}
	return spec, nil
}

// applyHints sizes a preset spec by the request's client hints and sets
// the Vary naming every hint the size can depend on for this preset (the
// same list whichever hints this request sent, as a cache needs), and
// Accept-CH. A box the hints grow past the preset is capped at the source
// when a larger one would render the same pixels (inside and cover, not
// enlarged), so DPR 2 and 3 of a small original share one entry.
func (h *Handler) applyHints(c *fiber.Ctx, orig catalog.Original, spec transform.Spec) transform.Spec {
	preset := box{Width: spec.Width, Height: spec.Height}
	if preset.Width > 0 {
		c.Vary(hintDPR, hintWidth, hintViewportWidth)
	} else {
		c.Vary(hintDPR)
	}
	c.Set("Accept-CH", acceptCH)
	cfg := h.variants.RenderConfig()
	hints := parseHints(func(name string) string { return c.Get(name) })
	lim := hintLimits{MaxWidth: cfg.MaxOutputWidth, MaxHeight: cfg.MaxOutputHeight, MaxDPR: cfg.MaxDPR}
	b := hintedBox(preset, hints, lim)
	sameBeyondSource := !spec.Enlarge && (spec.Fit == "" || spec.Fit == transform.Inside || spec.Fit == transform.Cover)
	if b.Width > preset.Width && sameBeyondSource {
		if src, ok := h.sizes.of(c.UserContext(), orig); ok {
			lim.Source = src
			b = hintedBox(preset, hints, lim)
		}
	}
	spec.Width, spec.Height = b.Width, b.Height
	return spec
}
