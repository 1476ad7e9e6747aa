package admin

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

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
	// ICC is the description of the ICC profile embedded in the bytes, or
	// transform.CICPsRGB for an sRGB AVIF (tagged by CICP, no profile).
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
func (h *Handler) consoleVariants(c *fiber.Ctx) error {
	var req ConsoleVariantsRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	cat := h.Catalog.Current()
	sku, ok := cat.SKU(req.SKU)
	if !ok {
		return &catalog.NotFoundError{Kind: "sku", ID: req.SKU}
	}
	req.fillDefaults(cat, sku)
	preset, ok := cat.Preset(req.Preset)
	if !ok {
		return &catalog.NotFoundError{Kind: "preset", ID: req.Preset}
	}
	formats, err := req.check()
	if err != nil {
		return err
	}
	cells, origs, err := consoleCells(cat, sku, req, len(formats))
	if err != nil {
		return err
	}
	// The console's renders wait for a slot rather than being shed.
	g, ctx := errgroup.WithContext(transform.Patient(c.UserContext()))
	g.SetLimit(consoleRenders)
	for i := range cells {
		for j, f := range formats {
			g.Go(func() error {
				cells[i].Variants[j] = h.consoleVariant(ctx, cat, origs[i], sku.ID, req.View, preset, &cells[i], f)
				return nil
			})
		}
	}
	_ = g.Wait() // per-variant errors are reported in the cells
	c.Set(fiber.HeaderCacheControl, "no-store")
	out := fiber.Map{"sku": sku.ID, "title": sku.Title, "view": req.View, "preset": req.Preset,
		"delta_e_threshold": h.cfg.DeltaEThreshold, "cells": cells}
	if sku.Swatch != nil && sku.Swatch.View == req.View {
		out["swatch"] = swatchInfo(sku.Swatch)
	}
	return c.JSON(out)
}

// fillDefaults fills what the request leaves out: the swatch view (else
// the first), the card preset, every locale, the master and every hub
// photo, and AVIF, WebP and JPEG.
func (req *ConsoleVariantsRequest) fillDefaults(cat *catalog.Catalog, sku *catalog.SKU) {
	if req.View == "" {
		req.View = sku.Views[0]
		if sku.Swatch != nil {
			req.View = sku.Swatch.View
		}
	}
	if req.Preset == "" {
		req.Preset = "card"
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
}

// check bounds the grid and parses the formats (each once).
func (req *ConsoleVariantsRequest) check() ([]transform.Format, error) {
	switch {
	case len(req.Locales) > consoleMaxLocales:
		return nil, problem.New(http.StatusBadRequest, "invalid_parameter", "at most %d locales at once", consoleMaxLocales).WithField("locales")
	case len(req.Hubs) == 0 || len(req.Hubs) > consoleMaxHubs:
		return nil, problem.New(http.StatusBadRequest, "invalid_parameter", "between 1 and %d photos (hubs) at once", consoleMaxHubs).WithField("hubs")
	}
	for _, l := range req.Locales {
		if !httpx.SafeToken(l) || l == "" {
			return nil, problem.New(http.StatusBadRequest, "invalid_locale", "locale must look like de-DE").WithField("locales")
		}
	}
	formats := make([]transform.Format, 0, len(req.Formats))
	for _, f := range req.Formats {
		ft, err := transform.ParseFormat(f)
		if err != nil {
			return nil, err
		}
		if ft == transform.Auto {
			return nil, problem.New(http.StatusBadRequest, "unsupported_format", "name the formats to compare (auto depends on the browser)").WithField("formats")
		}
		if !slices.Contains(formats, ft) {
			formats = append(formats, ft)
		}
	}
	return formats, nil
}

// consoleCells lays out the grid: photos × locales, with the original
// each cell renders from.
func consoleCells(cat *catalog.Catalog, sku *catalog.SKU, req ConsoleVariantsRequest, formats int) ([]ConsoleCell, []catalog.Original, error) {
	cells := make([]ConsoleCell, 0, len(req.Hubs)*len(req.Locales))
	origs := make([]catalog.Original, 0, cap(cells))
	for _, hub := range req.Hubs {
		orig, err := cat.Resolve(sku.ID, req.View, hub)
		if err != nil {
			return nil, nil, err
		}
		for _, l := range req.Locales {
			resolved, loc, _ := cat.ResolveLocale(l)
			look, profileID := variant.LookFor(cat, loc, sku.ID, req.View)
			cells = append(cells, ConsoleCell{
				Locale: l, ResolvedLocale: resolved, Hub: hub, HubPhoto: orig.Hub != "", Source: orig.Key,
				ColourProfile: profileID, Space: string(look.Space), Intent: look.Intent,
				Variants: make([]ConsoleVariant, formats),
			})
			origs = append(origs, orig)
		}
	}
	return cells, origs, nil
}

// consoleVariant finds or renders one variant the way /img does and
// measures what a browser would receive.
func (h *Handler) consoleVariant(ctx context.Context, cat *catalog.Catalog, orig catalog.Original, sku, view string,
	preset *catalog.Preset, cell *ConsoleCell, f transform.Format) ConsoleVariant {
	q := url.Values{"locale": {cell.Locale}}
	if cell.Hub != "" {
		q.Set("hub", cell.Hub)
	}
	imgPath := "/img/" + url.PathEscape(sku) + "/" + url.PathEscape(view) + "/" + preset.Name + "." + string(f)
	v := ConsoleVariant{Format: string(f), URL: imgPath + "?" + q.Encode()}
	if h.Signer != nil && h.cfg.SignPresets {
		v.URL = h.Signer.Sign(imgPath, q)
	}
	fail := func(err error) ConsoleVariant {
		p := httpx.ToProblem(err)
		v.Error, v.Code = p.Detail, p.Code
		return v
	}
	p, err := h.variants.Plan(cat, orig, sku, view, cell.Locale, variant.PresetSpec(preset, f))
	if err != nil {
		return fail(err)
	}
	p.URL = v.URL
	e, tier, err := h.variants.Get(ctx, p)
	if err != nil {
		return fail(err)
	}
	v.ContentType, v.Bytes, v.Width, v.Height, v.DeltaE, v.Tier, v.ETag =
		e.ContentType, len(e.Data), e.Width, e.Height, e.DeltaE, string(tier), e.ETag
	if tier == cache.FromRender {
		v.RenderMS = e.RenderMS
	}
	if info, err := transform.Inspect(e.Data, h.variants.RenderConfig()); err == nil && len(info.ICCProfile) > 0 {
		if desc, err := colour.ProfileDescription(info.ICCProfile); err == nil {
			v.ICC = desc
		}
	} else if err == nil {
		v.ICC = transform.ColourTag(e.Data) // an sRGB AVIF is tagged by CICP
	}
	return v
}
