package origin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// variantRequest is a parsed /img request. Strings are copied out of fiber's
// reused buffers.
type variantRequest struct {
	sku, view, preset string
	format            transform.Format
	locale, hub       string
	versioned         bool
}

// image serves GET/HEAD /img/{sku}/{view}/{preset}.{fmt}.
func (s *Server) image(c *fiber.Ctx) error {
	req, err := parseVariant(c)
	if err != nil {
		return err
	}
	cat := s.Catalog.Current()
	orig, err := cat.Resolve(req.sku, req.view, req.hub)
	if err != nil {
		return err
	}
	spec, err := s.variantSpec(c, cat, req)
	if err != nil {
		return err
	}
	if spec.Format == transform.Auto {
		spec.Format, err = s.negotiate(c, orig)
		if err != nil {
			return err
		}
	}
	if err := spec.Validate(s.Renderer.Config()); err != nil {
		return err
	}
	p := s.plan(cat, orig, req.sku, req.view, req.locale, spec)
	entry, src, err := s.variant(c, p.key, p.renderFunc(s))
	if err != nil {
		return err
	}
	key, tags, localeName := p.key, p.tags, p.locale

	h := &c.Response().Header
	h.Set(fiber.HeaderETag, entry.ETag)
	h.Set(fiber.HeaderCacheControl, s.cacheControl(req.versioned))
	h.Set("Surrogate-Key", strings.Join(tags, " "))
	h.Set("Cache-Tag", strings.Join(tags, ","))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Language", localeName)
	timing := "tier;desc=" + string(src)
	if src == cache.FromRender {
		timing += ", render;dur=" + strconv.FormatFloat(entry.RenderMS, 'f', 1, 64)
	}
	h.Set("Server-Timing", timing)
	if entry.DeltaE != nil {
		h.Set("X-Colour-DeltaE", strconv.FormatFloat(*entry.DeltaE, 'f', 2, 64))
		if src != cache.FromL1 {
			s.colour.record(key, ColourIssue{
				SKU: req.sku, View: req.view, Hub: orig.Hub, Locale: localeName, Variant: spec.Canonical(),
				URL: strings.Clone(c.OriginalURL()), DeltaE: *entry.DeltaE, Measured: entry.Created,
			})
		}
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, entry.ETag) {
		return c.SendStatus(http.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, entry.ContentType)
	return c.Send(entry.Data)
}

// variantPlan is everything needed to find or make one variant.
type variantPlan struct {
	orig   catalog.Original
	spec   transform.Spec
	look   transform.Look
	key    string
	tags   []string
	locale string // the resolved locale tag
}

// plan resolves the locale and look of a variant and computes its cache key
// and purge tags. It is shared by requests and pre-warming, so both fill the
// same cache entries.
func (s *Server) plan(cat *catalog.Catalog, orig catalog.Original, sku, view, locale string, spec transform.Spec) variantPlan {
	localeName, loc, _ := cat.ResolveLocale(locale)
	look, profileID := lookFor(cat, loc, sku, view)
	tags := []string{"sku-" + sku}
	if orig.Hub != "" {
		tags = append(tags, "hub-"+orig.Hub)
	}
	return variantPlan{orig: orig, spec: spec, look: look, key: cache.Key(sku, variantHash(orig, spec, look, profileID)), tags: tags, locale: localeName}
}

func (p variantPlan) renderFunc(s *Server) cache.RenderFunc {
	return func(ctx context.Context) (*cache.Entry, error) {
		return s.render(ctx, p.orig, p.spec, p.look, p.tags)
	}
}

// presetSpec is the spec of a catalog preset in a format.
func presetSpec(p *catalog.Preset, f transform.Format) transform.Spec {
	return transform.Spec{
		Width: p.Width, Height: p.Height, Fit: transform.Fit(p.Fit),
		Gravity: p.Gravity, Enlarge: p.Enlarge, Format: f,
		Quality: p.Quality, Background: p.Background,
	}
}

// variant gets an entry from the cache tiers; only a miss of L1 pays for a
// request deadline and a flight.
func (s *Server) variant(c *fiber.Ctx, key string, render cache.RenderFunc) (*cache.Entry, cache.Source, error) {
	if e, ok := s.Cache.Lookup(key); ok {
		return e, cache.FromL1, nil
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	return s.Cache.Get(ctx, key, render)
}

// notSpec are query parameters that are not part of a variant's spec.
var notSpec = map[string]bool{"locale": true, "hub": true, "v": true, "sig": true, "kid": true}

// variantSpec builds the spec of a preset or ad-hoc (/_.fmt?w=…) request and
// checks its signature when signing is on.
func (s *Server) variantSpec(c *fiber.Ctx, cat *catalog.Catalog, req variantRequest) (transform.Spec, error) {
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return transform.Spec{}, problem.New(http.StatusBadRequest, "invalid_query", "the query string is malformed")
	}
	adhoc := req.preset == "_"
	if s.signer != nil && (adhoc || s.cfg.SignPresets) {
		if err := s.signer.Verify(string(c.Request().URI().PathOriginal()), query); err != nil {
			return transform.Spec{}, err
		}
	}
	if adhoc {
		if _, ok := query["fmt"]; ok {
			return transform.Spec{}, problem.New(http.StatusBadRequest, "invalid_spec", "the format comes from the extension (_.webp), not fmt").WithField("fmt")
		}
		spec, err := transform.ParseQuery(query, s.Renderer.Config(), notSpec)
		spec.Format = req.format
		return spec, err
	}
	preset, ok := cat.Preset(req.preset)
	if !ok {
		return transform.Spec{}, &catalog.NotFoundError{Kind: "preset", ID: req.preset}
	}
	return presetSpec(preset, req.format), nil
}

// negotiate resolves fmt=auto from the Accept header; it sets Vary: Accept.
// When the client takes neither AVIF nor WebP, a source with alpha gets PNG
// (JPEG would flatten it) — the only case that needs the source's header.
func (s *Server) negotiate(c *fiber.Ctx, orig catalog.Original) (transform.Format, error) {
	c.Vary(fiber.HeaderAccept)
	f := negotiate(c.Get(fiber.HeaderAccept))
	if f != transform.JPEG {
		return f, nil
	}
	id := orig.Key + "@" + orig.ETag
	hasAlpha, ok := s.alpha.Get(id)
	if !ok {
		ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
		defer cancel()
		obj, err := s.Store.Get(ctx, orig.Key, store.GetOptions{MaxBytes: int64(s.Renderer.Config().MaxSourceBytes)})
		if err != nil {
			return "", err
		}
		info, err := transform.Inspect(obj.Data, s.Renderer.Config())
		if err != nil {
			return "", err
		}
		hasAlpha = info.HasAlpha
		s.alpha.Add(id, hasAlpha)
	}
	if hasAlpha {
		return transform.PNG, nil
	}
	return transform.JPEG, nil
}

// render fetches the original and renders it; it runs at most once per key
// at a time (inside the cache's flight).
func (s *Server) render(ctx context.Context, orig catalog.Original, spec transform.Spec, look transform.Look, tags []string) (*cache.Entry, error) {
	obj, err := s.Store.Get(ctx, orig.Key, store.GetOptions{MaxBytes: int64(s.Renderer.Config().MaxSourceBytes)})
	if err != nil {
		return nil, err
	}
	res, err := s.Renderer.Render(ctx, transform.Request{
		Source: obj.Data, SourceID: obj.Key + "@" + obj.ETag, Spec: spec, Look: look,
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(res.Data)
	return &cache.Entry{
		Data:        res.Data,
		ContentType: res.ContentType,
		ETag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		Width:       res.Width,
		Height:      res.Height,
		DeltaE:      res.DeltaE,
		Tags:        tags,
		Created:     time.Now().UTC(),
		RenderMS:    float64(res.Elapsed.Microseconds()) / 1000,
	}, nil
}

// lookFor is the colour treatment of a variant: the locale's colour profile
// and, on the SKU's swatch view (master or hub photo), the swatch to
// calibrate toward and measure. It also returns the profile's id@version.
func lookFor(cat *catalog.Catalog, locale catalog.Locale, skuID, view string) (transform.Look, string) {
	look := transform.Look{Space: transform.SRGB, Intent: "relative"}
	profileID := "none"
	if p := cat.LocaleProfile(locale); p != nil {
		profileID = p.ID + "@" + strconv.Itoa(p.Version)
		look.Space = transform.Space(p.Space)
		look.Intent = p.Intent
		look.Tone = transform.Tone{Temperature: p.Tone.Temperature, Saturation: p.Tone.Saturation, Exposure: p.Tone.Exposure}
	}
	if sku, ok := cat.SKU(skuID); ok && sku.Swatch != nil && sku.Swatch.View == view {
		sw := sku.Swatch
		look.Swatch = &transform.Swatch{Rect: sw.Rect, Lab: colour.Lab{L: sw.Lab[0], A: sw.Lab[1], B: sw.Lab[2]}}
		look.Calibrate = true
	}
	return look, profileID
}

// variantHash is the contract's cache key: the source and its ETag, the
// canonical spec, the colour profile version (and the look it gives, swatch
// included) and the pipeline version.
func variantHash(orig catalog.Original, spec transform.Spec, look transform.Look, profile string) string {
	h := sha256.New()
	for _, part := range []string{orig.Key, orig.ETag, spec.Canonical(), profile, look.Canonical(), transform.PipelineVersion} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) cacheControl(versioned bool) string {
	if versioned {
		return s.ccVersioned
	}
	return s.ccPlain
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

// parseVariant reads and checks the path and query of an /img request.
func parseVariant(c *fiber.Ctx) (variantRequest, error) {
	var r variantRequest
	for _, p := range []struct {
		name string
		dst  *string
	}{{"sku", &r.sku}, {"view", &r.view}, {"file", &r.preset}} {
		v := c.Params(p.name)
		if !safeSegment(v) {
			return r, problem.New(http.StatusBadRequest, "invalid_path", "path segment %s is not a plain name", p.name).WithField(p.name)
		}
		*p.dst = strings.Clone(v)
	}
	dot := strings.LastIndexByte(r.preset, '.')
	if dot <= 0 || dot == len(r.preset)-1 {
		return r, problem.New(http.StatusBadRequest, "unsupported_format", "the last path segment must be {preset}.{format}, e.g. pdp.webp").WithField("format")
	}
	ext := r.preset[dot+1:]
	r.preset = r.preset[:dot]
	f, err := transform.ParseFormat(ext)
	if err != nil {
		return r, err
	}
	r.format = f
	r.locale = strings.Clone(c.Query("locale"))
	r.hub = strings.Clone(c.Query("hub"))
	if r.locale != "" && !safeToken(r.locale) {
		return r, problem.New(http.StatusBadRequest, "invalid_locale", "locale must look like de-DE").WithField("locale")
	}
	if r.hub != "" && !safeToken(r.hub) {
		return r, problem.New(http.StatusBadRequest, "invalid_hub", "hub must be a hub id such as eu-waw").WithField("hub")
	}
	r.versioned = c.Query("v") != ""
	return r, nil
}

// safeSegment accepts path segments made of letters, digits, '-', '_', '.'
// and '@', with no "..": anything else (escapes, slashes, NUL) is refused
// before it reaches the catalog or the store.
func safeSegment(s string) bool {
	if s == "" || len(s) > 128 || strings.Contains(s, "..") {
		return false
	}
	return safeToken(s)
}

func safeToken(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		case ch == '-' || ch == '_' || ch == '.' || ch == '@':
		default:
			return false
		}
	}
	return true
}
