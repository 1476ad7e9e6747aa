package origin

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/console"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
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
func (s *Server) consoleRoutes(admin fiber.Router) {
	assets := console.Assets()
	s.app.Get("/console", s.adminOnly, func(c *fiber.Ctx) error { return s.consoleFile(c, assets, "index.html") })
	s.app.Get("/console/*", s.adminOnly, func(c *fiber.Ctx) error { return s.consoleFile(c, assets, strings.Clone(c.Params("*"))) })
	admin.Get("/console/catalog", s.consoleCatalog)
	admin.Post("/console/variants", s.consoleVariants)
	admin.Get("/console/cache", s.consoleCache)
	admin.Get("/console/inventory", s.needRules, s.consoleInventory)
	admin.Get("/rules/active", s.needRules, s.activeRules)
	admin.Get("/rules/versions/:n", s.needRules, s.ruleVersionText)
}

// consoleFile sends one file of the built console. Hashed assets never
// change under their name; the shell is revalidated so a new build shows.
func (s *Server) consoleFile(c *fiber.Ctx, assets fs.FS, name string) error {
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
	}
	return c.Send(data)
}

// consoleCatalog serves GET /admin/console/catalog: what the console's
// pickers offer.
func (s *Server) consoleCatalog(c *fiber.Ctx) error {
	cat := s.Catalog.Current()
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
		"delta_e_threshold": s.cfg.DeltaEThreshold, "routing": s.Rules != nil,
		"signing": s.signer != nil, "sign_presets": s.signer != nil && s.cfg.SignPresets,
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

// ConsoleVariantsRequest is the body of POST /admin/console/variants: one
// SKU view and preset, compared across locales and photos.
type ConsoleVariantsRequest struct {
	SKU    string `json:"sku"`
	View   string `json:"view"`   // default: the swatch view, else the first
	Preset string `json:"preset"` // default: card
	// Locales default to every catalog locale; any tag is accepted and
	// resolved as a product page's would be (de-AT → de-DE).
	Locales []string `json:"locales"`
	// Hubs are the photos: "" is the master, a hub id its own photo (the
	// master when it has none). Default: the master and every hub photo.
	Hubs    []string `json:"hubs"`
	Formats []string `json:"formats"` // default: avif, webp, jpg
}

// ConsoleVariant is one rendered variant, measured as it was served.
type ConsoleVariant struct {
	Format      string   `json:"format"`
	URL         string   `json:"url"`
	ContentType string   `json:"content_type,omitempty"`
	Bytes       int      `json:"bytes"`
	Width       int      `json:"width,omitempty"`
	Height      int      `json:"height,omitempty"`
	DeltaE      *float64 `json:"delta_e,omitempty"`
	// Tier is where the variant came from: l1, l2 or render.
	Tier     string  `json:"tier,omitempty"`
	RenderMS float64 `json:"render_ms,omitempty"`
	// ICC is the description of the ICC profile embedded in the bytes.
	ICC   string `json:"icc,omitempty"`
	ETag  string `json:"etag,omitempty"`
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// ConsoleCell is one locale × photo of the grid.
type ConsoleCell struct {
	Locale         string `json:"locale"`
	ResolvedLocale string `json:"resolved_locale"`
	// Hub is the photo asked for ("" the master); HubPhoto is true when the
	// hub's own photo was used, false when the master stood in.
	Hub           string           `json:"hub"`
	HubPhoto      bool             `json:"hub_photo"`
	Source        string           `json:"source"`
	ColourProfile string           `json:"colour_profile"`
	Space         string           `json:"space"`
	Intent        string           `json:"intent"`
	Variants      []ConsoleVariant `json:"variants"`
}

// consoleVariants serves POST /admin/console/variants: every locale ×
// photo × format, through the same plan, cache tiers and render as /img
// (so the answer is what a product page gets, and the grid warms the
// cache), with the measured ΔE2000, bytes, tier and embedded profile.
func (s *Server) consoleVariants(c *fiber.Ctx) error {
	var req ConsoleVariantsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat := s.Catalog.Current()
	sku, ok := cat.SKU(req.SKU)
	if !ok {
		return &catalog.NotFoundError{Kind: "sku", ID: req.SKU}
	}
	if req.View == "" {
		req.View = sku.Views[0]
		if sku.Swatch != nil {
			req.View = sku.Swatch.View
		}
	}
	if req.Preset == "" {
		req.Preset = "card"
	}
	preset, ok := cat.Preset(req.Preset)
	if !ok {
		return &catalog.NotFoundError{Kind: "preset", ID: req.Preset}
	}
	if len(req.Locales) == 0 {
		for tag := range cat.Locales {
			req.Locales = append(req.Locales, tag)
		}
		slices.Sort(req.Locales)
	}
	if req.Hubs == nil {
		req.Hubs = append([]string{""}, cat.HubPhotos(sku.ID, req.View)...)
	}
	if len(req.Formats) == 0 {
		req.Formats = []string{string(transform.AVIF), string(transform.WebP), string(transform.JPEG)}
	}
	switch {
	case len(req.Locales) > consoleMaxLocales:
		return problem.New(http.StatusBadRequest, "invalid_parameter", "at most %d locales at once", consoleMaxLocales).WithField("locales")
	case len(req.Hubs) == 0 || len(req.Hubs) > consoleMaxHubs:
		return problem.New(http.StatusBadRequest, "invalid_parameter", "between 1 and %d photos (hubs) at once", consoleMaxHubs).WithField("hubs")
	}
	for _, l := range req.Locales {
		if !safeToken(l) || l == "" {
			return problem.New(http.StatusBadRequest, "invalid_locale", "locale must look like de-DE").WithField("locales")
		}
	}
	formats := make([]transform.Format, 0, len(req.Formats))
	for _, f := range req.Formats {
		ft, err := transform.ParseFormat(f)
		if err != nil {
			return err
		}
		if ft == transform.Auto {
			return problem.New(http.StatusBadRequest, "unsupported_format", "name the formats to compare (auto depends on the browser)").WithField("formats")
		}
		if !slices.Contains(formats, ft) {
			formats = append(formats, ft)
		}
	}
	cells := make([]ConsoleCell, 0, len(req.Hubs)*len(req.Locales))
	origs := make([]catalog.Original, 0, cap(cells))
	for _, hub := range req.Hubs {
		orig, err := cat.Resolve(sku.ID, req.View, hub)
		if err != nil {
			return err
		}
		for _, l := range req.Locales {
			resolved, loc, _ := cat.ResolveLocale(l)
			look, profileID := lookFor(cat, loc, sku.ID, req.View)
			cells = append(cells, ConsoleCell{
				Locale: l, ResolvedLocale: resolved, Hub: hub, HubPhoto: orig.Hub != "", Source: orig.Key,
				ColourProfile: profileID, Space: string(look.Space), Intent: look.Intent,
				Variants: make([]ConsoleVariant, len(formats)),
			})
			origs = append(origs, orig)
		}
	}
	g, ctx := errgroup.WithContext(c.UserContext())
	g.SetLimit(consoleRenders)
	for i := range cells {
		for j, f := range formats {
			g.Go(func() error {
				cells[i].Variants[j] = s.consoleVariant(ctx, cat, origs[i], sku.ID, req.View, preset, &cells[i], f)
				return nil
			})
		}
	}
	_ = g.Wait() // per-variant errors are reported in the cells
	c.Set(fiber.HeaderCacheControl, "no-store")
	out := fiber.Map{"sku": sku.ID, "title": sku.Title, "view": req.View, "preset": req.Preset,
		"delta_e_threshold": s.cfg.DeltaEThreshold, "cells": cells}
	if sku.Swatch != nil && sku.Swatch.View == req.View {
		out["swatch"] = swatchInfo(sku.Swatch)
	}
	return c.JSON(out)
}

// consoleVariant finds or renders one variant the way /img does and
// measures what a browser would receive.
func (s *Server) consoleVariant(ctx context.Context, cat *catalog.Catalog, orig catalog.Original, sku, view string,
	preset *catalog.Preset, cell *ConsoleCell, f transform.Format) ConsoleVariant {
	q := url.Values{"locale": {cell.Locale}}
	if cell.Hub != "" {
		q.Set("hub", cell.Hub)
	}
	imgPath := "/img/" + url.PathEscape(sku) + "/" + url.PathEscape(view) + "/" + preset.Name + "." + string(f)
	v := ConsoleVariant{Format: string(f), URL: imgPath + "?" + q.Encode()}
	if s.signer != nil && s.cfg.SignPresets {
		v.URL = s.signer.Sign(imgPath, q)
	}
	spec := presetSpec(preset, f)
	fail := func(err error) ConsoleVariant {
		p := toProblem(err)
		v.Error, v.Code = p.Detail, p.Code
		return v
	}
	if err := spec.Validate(s.Renderer.Config()); err != nil {
		return fail(err)
	}
	p := s.plan(cat, orig, sku, view, cell.Locale, spec)
	e, src := s.Cache.Lookup(p.key)
	tier := cache.FromL1
	if !src {
		rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
		defer cancel()
		var err error
		if e, tier, err = s.Cache.Get(rctx, p.key, p.renderFunc(s)); err != nil {
			return fail(err)
		}
	}
	v.ContentType, v.Bytes, v.Width, v.Height, v.DeltaE, v.Tier, v.ETag =
		e.ContentType, len(e.Data), e.Width, e.Height, e.DeltaE, string(tier), e.ETag
	if tier == cache.FromRender {
		v.RenderMS = e.RenderMS
	}
	if info, err := transform.Inspect(e.Data, s.Renderer.Config()); err == nil && len(info.ICCProfile) > 0 {
		if desc, err := colour.ProfileDescription(info.ICCProfile); err == nil {
			v.ICC = desc
		}
	}
	if e.DeltaE != nil && tier != cache.FromL1 {
		s.colour.record(p.key, ColourIssue{SKU: sku, View: view, Hub: orig.Hub, Locale: p.locale, Variant: spec.Canonical(),
			URL: v.URL, DeltaE: *e.DeltaE, Measured: e.Created})
	}
	return v
}

// consoleCache serves GET /admin/console/cache: each tier's hit ratio and
// bytes, the memory tier's fill, and the busiest variants.
func (s *Server) consoleCache(c *fiber.Ctx) error {
	stats := s.Cache.Stats(consoleTopKeys)
	keys := make([]string, len(stats.Top))
	for i, k := range stats.Top {
		keys[i] = k.Key
	}
	out := fiber.Map{"stats": stats, "variants": s.describeKeys(s.Catalog.Current(), keys)}
	for _, t := range s.Cache.Tiers() {
		if m, ok := t.(*cache.Memory); ok {
			out["l1"] = fiber.Map{"bytes": m.Bytes(), "budget": m.Budget(), "entries": m.Len(), "evictions": m.Evictions()}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// KeyVariant says which preset variant a cache key holds. Locales lists
// every locale sharing the key: locales with the same colour profile get
// the same bytes, so they share one cache entry.
type KeyVariant struct {
	View    string   `json:"view"`
	Preset  string   `json:"preset"`
	Format  string   `json:"format"`
	Hub     string   `json:"hub,omitempty"`
	Locales []string `json:"locales"`
}

// describeKeys names the variants behind cache keys. Keys are hashes, so
// it recomputes the keys of every preset variant of the SKUs involved
// (views × photos × presets × formats × locales: hundreds of hashes per
// SKU, well under a millisecond) and matches them; ad-hoc variants and
// keys of an older catalog stay unnamed.
func (s *Server) describeKeys(cat *catalog.Catalog, keys []string) map[string]*KeyVariant {
	out := make(map[string]*KeyVariant, len(keys))
	want := make(map[string]bool, len(keys))
	var skus []string
	for _, k := range keys {
		want[k] = true
		sku, _, _ := strings.Cut(k, "/")
		if !slices.Contains(skus, sku) {
			skus = append(skus, sku)
		}
	}
	locales := make([]string, 0, len(cat.Locales))
	for tag := range cat.Locales {
		locales = append(locales, tag)
	}
	slices.Sort(locales)
	formats := []transform.Format{transform.AVIF, transform.WebP, transform.JPEG, transform.PNG}
	for _, id := range skus {
		sku, ok := cat.SKU(id)
		if !ok {
			continue
		}
		for _, view := range sku.Views {
			for _, hub := range append([]string{""}, cat.HubPhotos(id, view)...) {
				orig, err := cat.Resolve(id, view, hub)
				if err != nil {
					continue
				}
				for i := range cat.Presets {
					preset := &cat.Presets[i]
					for _, f := range formats {
						spec := presetSpec(preset, f)
						for _, l := range locales {
							key := s.plan(cat, orig, id, view, l, spec).key
							if !want[key] {
								continue
							}
							if kv := out[key]; kv != nil {
								kv.Locales = append(kv.Locales, l)
								continue
							}
							out[key] = &KeyVariant{View: view, Preset: preset.Name, Format: string(f), Hub: hub, Locales: []string{l}}
						}
					}
				}
			}
		}
	}
	return out
}

// ConsoleHubStock is one node's inventory as routing holds it.
type ConsoleHubStock struct {
	Hub    string         `json:"hub"`
	Name   string         `json:"name"`
	Kind   string         `json:"kind"`
	Loaded bool           `json:"loaded"`
	Seq    int64          `json:"seq,omitempty"`
	AsOf   *time.Time     `json:"as_of,omitempty"`
	AgeS   *float64       `json:"age_s,omitempty"`
	Items  map[string]int `json:"items,omitempty"`
}

// consoleInventory serves GET /admin/console/inventory: every node's
// snapshot and its age by the routing clock, and the overrides in force.
func (s *Server) consoleInventory(c *fiber.Ctx) error {
	cat := s.Catalog.Current()
	now := s.Router.Now()
	hubs := make([]ConsoleHubStock, 0, len(cat.Hubs))
	for _, h := range cat.Hubs {
		st := ConsoleHubStock{Hub: h.ID, Name: h.Name, Kind: h.Kind}
		if st.Kind == "" {
			st.Kind = "hub"
		}
		if snap, ok := s.Rules.Inventory().Snapshot(h.ID); ok {
			age := now.Sub(snap.AsOf).Seconds()
			asOf := snap.AsOf.UTC()
			st.Loaded, st.Seq, st.AsOf, st.AgeS, st.Items = true, snap.Seq, &asOf, &age, snap.Items
		}
		hubs = append(hubs, st)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"now": now.UTC(), "hubs": hubs, "overrides": s.Rules.Overrides().Active(now)})
}

// ActiveRules is GET /admin/rules/active: the rules file in the store, and
// the version this replica routes with (they differ while the file is
// broken, or when there is none and the playbook runs).
type ActiveRules struct {
	Stored  bool   `json:"stored"`
	YAML    string `json:"yaml"`
	ETag    string `json:"etag,omitempty"`
	Serving string `json:"serving"`
	Rules   int    `json:"rules"`
}

// activeRules serves GET /admin/rules/active.
func (s *Server) activeRules(c *fiber.Ctx) error {
	rs := s.Router.Rules()
	out := ActiveRules{Serving: rs.Version(), Rules: rs.Len()}
	obj, err := s.Store.Get(c.UserContext(), routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		out.Stored, out.YAML, out.ETag = true, string(obj.Data), obj.ETag
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// ruleVersionText serves GET /admin/rules/versions/{n}: a stored version's
// file, to read before rolling back to it.
func (s *Server) ruleVersionText(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return problem.New(http.StatusBadRequest, "invalid_rules_version", "n must be a stored version number (1, 2, ...)").WithField("n")
	}
	obj, err := s.Store.Get(c.UserContext(), VersionKey(n), store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	if errors.Is(err, store.ErrNotFound) {
		return problem.New(http.StatusNotFound, "unknown_rules_version", "there is no rules version %d (GET /admin/rules/versions lists them)", n)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"n": n, "key": VersionKey(n), "yaml": string(obj.Data)})
}
