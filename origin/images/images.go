package images

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Config sets the caching headers of variant responses.
type Config struct {
	MaxAge, SMaxAge                    time.Duration
	StaleWhileRevalidate, StaleIfError time.Duration
	// SignPresets requires signatures on preset URLs too (ad-hoc URLs
	// always need one when signing is on).
	SignPresets bool
}

// Handler serves /img.
type Handler struct {
	cfg      Config
	variants *variant.Service
	signer   *signing.Signer // nil: signing is off
	// Cache-Control values, built once: they depend on config only.
	ccPlain, ccVersioned string
	// tiers are the cache tiers Cache-Status reports on.
	tiers tierSet
	// sizes caps client hints at the source's pixels.
	sizes *sourceSizes
}

// New builds the handler; signer may be nil.
func New(cfg Config, variants *variant.Service, signer *signing.Signer) (*Handler, error) {
	if variants == nil {
		return nil, errors.New("images: the variant service is required")
	}
	return &Handler{cfg: cfg, variants: variants, signer: signer,
		ccPlain: buildCacheControl(cfg, false), ccVersioned: buildCacheControl(cfg, true),
		tiers: tiersOf(variants.Cache()), sizes: newSourceSizes(variants)}, nil
}

// Register adds the /img routes.
func (h *Handler) Register(r fiber.Router) {
	r.Get("/img/:sku/:view/:file", h.image)
	r.Head("/img/:sku/:view/:file", h.image)
}

// image serves GET/HEAD /img/{sku}/{view}/{preset}.{fmt}.
func (h *Handler) image(c *fiber.Ctx) error {
	req, err := parseVariant(c)
	if err != nil {
		return err
	}
	cat := h.variants.Catalog()
	orig, err := cat.Resolve(req.sku, req.view, req.hub)
	if err != nil {
		return err
	}
	spec, err := h.variantSpec(c, cat, req)
	if err != nil {
		return err
	}
	if spec.Format == transform.Auto {
		if spec, err = h.resolveAuto(c, orig, req, spec); err != nil {
			return err
		}
	}
	p, err := h.variants.Plan(cat, orig, req.sku, req.view, req.locale, spec)
	if err != nil {
		return err
	}
	p.URL = strings.Clone(c.OriginalURL())
	entry, src, err := h.variants.Get(c.UserContext(), p)
	if err != nil {
		return err
	}
	h.setHeaders(c, p, entry, src, req)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, entry.ETag) {
		return c.SendStatus(http.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, entry.ContentType)
	return c.Send(entry.Data)
}

// setHeaders sets the validators, caching and purge headers of a variant.
func (h *Handler) setHeaders(c *fiber.Ctx, p variant.Plan, entry *cache.Entry, src cache.Source, req variantRequest) {
	hd := &c.Response().Header
	hd.Set(fiber.HeaderETag, entry.ETag)
	hd.Set(fiber.HeaderCacheControl, h.cacheControl(req.versioned))
	hd.Set("Surrogate-Key", p.SurrogateKey())
	hd.Set("Cache-Tag", p.CacheTag())
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Language", p.Locale)
	switch src {
	case cache.FromL1: // the hot path: a constant
		hd.Set("Server-Timing", "tier;desc=l1")
	case cache.FromRender:
		hd.Set("Server-Timing", "tier;desc=render, render;dur="+strconv.FormatFloat(entry.RenderMS, 'f', 1, 64))
	default:
		hd.Set("Server-Timing", "tier;desc="+string(src))
	}
	if status := cacheStatus(h.tiers, src, req.format == transform.Auto); status != "" {
		hd.Set("Cache-Status", status)
	}
	if entry.DeltaE != nil {
		hd.Set("X-Colour-DeltaE", strconv.FormatFloat(*entry.DeltaE, 'f', 2, 64))
	}
	if entry.Quality != "" {
		hd.Set("X-Quality", entry.Quality)
	}
	if g := p.Gamut(); g != "" { // a P3 locale: p3 or srgb-shared
		hd.Set("X-Colour-Gamut", g)
	}
}

// negotiate resolves fmt=auto from the Accept header; it sets Vary: Accept.
// When the client takes neither AVIF nor WebP, a source with alpha gets PNG
// (JPEG would flatten it) — the only case that needs the source's header.
func (h *Handler) negotiate(c *fiber.Ctx, orig catalog.Original) (transform.Format, error) {
	c.Vary(fiber.HeaderAccept)
	f := negotiate(c.Get(fiber.HeaderAccept))
	if f != transform.JPEG {
		return f, nil
	}
	hasAlpha, err := h.variants.HasAlpha(c.UserContext(), orig)
	if err != nil {
		return "", err
	}
	if hasAlpha {
		return transform.PNG, nil
	}
	return transform.JPEG, nil
}

func (h *Handler) cacheControl(versioned bool) string {
	if versioned {
		return h.ccVersioned
	}
	return h.ccPlain
}

// buildCacheControl is the Cache-Control of variant responses.
func buildCacheControl(cfg Config, versioned bool) string {
	cc := "public, max-age=" + secs(cfg.MaxAge) + ", s-maxage=" + secs(cfg.SMaxAge)
	if cfg.StaleWhileRevalidate > 0 {
		cc += ", stale-while-revalidate=" + secs(cfg.StaleWhileRevalidate)
	}
	if cfg.StaleIfError > 0 {
		cc += ", stale-if-error=" + secs(cfg.StaleIfError)
	}
	if versioned {
		cc += ", immutable"
	}
	return cc
}

func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// etagMatches implements If-None-Match's weak comparison over a list.
func etagMatches(header, etag string) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag {
			return true
		}
	}
	return false
}
