package admin

import (
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/console"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// The operator console (issue 11): the page at /console is a static shell
// holding no data, so it is served without a token; everything it shows
// comes from admin routes, which need the bearer token the page asks for.
// With ADMIN_LISTEN set, the shell is served only on the admin listener,
// like /admin.

// Limits of one POST /admin/console/variants: every cell renders up to
// one variant per format, so the grid is bounded.
const (
	consoleMaxLocales = 8
	consoleMaxHubs    = 6
	// consoleRenders is how many variants of one request render at once:
	// enough to use both cores of a small box, few enough to leave the
	// render queue to shoppers.
	consoleRenders = 4
	// consoleTopKeys is how many of the busiest variants the cache panel lists.
	consoleTopKeys = 12
)

// consoleCSP keeps the console to its own origin: its scripts and styles
// are files of the embedded build, the map is bundled, and images come
// from /img. Inline styles are allowed for the bars and map colours.
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// consoleRoutes serves the console's shell and assets, and the admin
// routes that only the console needs.
func (h *Handler) consoleRoutes(app, admin fiber.Router, adminOnly fiber.Handler) {
	assets := console.Assets()
	app.Get("/console", adminOnly, func(c *fiber.Ctx) error { return h.consoleFile(c, assets, "index.html") })
	app.Get("/console/*", adminOnly, func(c *fiber.Ctx) error { return h.consoleFile(c, assets, strings.Clone(c.Params("*"))) })
	admin.Get("/console/catalog", h.consoleCatalog)
	admin.Post("/console/variants", h.consoleVariants)
	admin.Get("/console/cache", h.consoleCache)
	admin.Get("/console/inventory", h.needRules, h.consoleInventory)
	admin.Get("/rules/active", h.needRules, h.activeRules)
	admin.Get("/rules/versions/:n", h.needRules, h.ruleVersionText)
}

// consoleFile sends one file of the built console. Hashed assets never
// change under their name; the shell is revalidated so a new build shows.
func (h *Handler) consoleFile(c *fiber.Ctx, assets fs.FS, name string) error {
	if name == "" {
		name = "index.html"
	}
	data, err := fs.ReadFile(assets, name)
	if err != nil {
		return problem.New(http.StatusNotFound, "not_found", "no such console file")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = fiber.MIMEOctetStream
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	if strings.HasPrefix(name, "assets/") {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set("Content-Security-Policy", consoleCSP)
		c.Set("X-Frame-Options", "DENY")
		// The product-page mock loads .auto variants the way a shop's page
		// would: opted in to client hints, which same-origin images get
		// without a Permissions-Policy delegation.
		c.Set("Accept-CH", "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width")
	}
	return c.Send(data)
}

// consoleCatalog serves GET /admin/console/catalog: what the console's
// pickers offer.
func (h *Handler) consoleCatalog(c *fiber.Ctx) error {
	cat := h.Catalog.Current()
	type localeInfo struct {
		Tag    string `json:"tag"`
		Colour string `json:"colour,omitempty"`
		Space  string `json:"space"`
	}
	skus := make([]map[string]any, 0, len(cat.SKUs))
	for _, k := range cat.SKUs {
		photos := map[string][]string{}
		for _, v := range k.Views {
			if hubs := cat.HubPhotos(k.ID, v); len(hubs) > 0 {
				photos[v] = hubs
			}
		}
		entry := map[string]any{"id": k.ID, "title": k.Title, "views": k.Views, "hub_photos": photos}
		if k.Swatch != nil {
			entry["swatch"] = swatchInfo(k.Swatch)
		}
		skus = append(skus, entry)
	}
	locales := make([]localeInfo, 0, len(cat.Locales))
	for tag, l := range cat.Locales {
		li := localeInfo{Tag: tag, Colour: l.Colour, Space: string(transform.SRGB)}
		if p := cat.LocaleProfile(l); p != nil {
			li.Space = p.Space
		}
		locales = append(locales, li)
	}
	sort.Slice(locales, func(i, j int) bool { return locales[i].Tag < locales[j].Tag })
	presets := make([]fiber.Map, 0, len(cat.Presets))
	for _, p := range cat.Presets {
		presets = append(presets, fiber.Map{"name": p.Name, "width": p.Width, "height": p.Height, "fit": p.Fit})
	}
	hubs := make([]fiber.Map, 0, len(cat.Hubs))
	for _, h := range cat.Hubs {
		kind := h.Kind
		if kind == "" {
			kind = "hub"
		}
		hubs = append(hubs, fiber.Map{"id": h.ID, "name": h.Name, "kind": kind, "region": h.Region, "country": h.Country,
			"lat": h.Lat, "lon": h.Lon, "tz": h.TZ, "cutoff": h.Cutoff, "carriers": h.Carriers})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"skus": skus, "hubs": hubs, "locales": locales, "default_locale": cat.DefaultLocale,
		"presets": presets, "regions": cat.Regions, "formats": []transform.Format{transform.AVIF, transform.WebP, transform.JPEG},
		"delta_e_threshold": h.cfg.DeltaEThreshold, "routing": h.Rules != nil,
		"signing": h.Signer != nil, "sign_presets": h.Signer != nil && h.cfg.SignPresets,
	})
}

// swatchInfo is a declared swatch with an sRGB chip colour people can see
// next to the photos.
func swatchInfo(sw *catalog.Swatch) fiber.Map {
	r, g, b, inGamut := colour.LabToSRGB(colour.Lab{L: sw.Lab[0], A: sw.Lab[1], B: sw.Lab[2]})
	hex := func(v float64) string {
		n := int(math.Round(math.Max(0, math.Min(1, v)) * 255))
		return string("0123456789abcdef"[n>>4]) + string("0123456789abcdef"[n&15])
	}
	return fiber.Map{"view": sw.View, "rect": sw.Rect, "lab": sw.Lab, "hex": "#" + hex(r) + hex(g) + hex(b), "in_srgb_gamut": inGamut}
}
