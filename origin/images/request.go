package images

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/transform"
)

// variantRequest is a parsed /img request. Strings are copied out of fiber's
// reused buffers.
type variantRequest struct {
	sku, view, preset string
	format            transform.Format
	locale, hub       string
	versioned         bool
}

// notSpec are query parameters that are not part of a variant's spec.
var notSpec = map[string]bool{"locale": true, "hub": true, "v": true, "sig": true, "kid": true}

// variantSpec builds the spec of a preset or ad-hoc (/_.fmt?w=…) request and
// checks its signature when signing is on.
func (h *Handler) variantSpec(c *fiber.Ctx, cat *catalog.Catalog, req variantRequest) (transform.Spec, error) {
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return transform.Spec{}, problem.New(http.StatusBadRequest, "invalid_query", "the query string is malformed")
	}
	adhoc := req.preset == "_"
	if h.signer != nil && (adhoc || h.cfg.SignPresets) {
		if err := h.signer.Verify(string(c.Request().URI().PathOriginal()), query); err != nil {
			return transform.Spec{}, err
		}
	}
	if adhoc {
		if _, ok := query["fmt"]; ok {
			return transform.Spec{}, problem.New(http.StatusBadRequest, "invalid_spec", "the format comes from the extension (_.webp), not fmt").WithField("fmt")
		}
		spec, err := transform.ParseQuery(query, h.variants.RenderConfig(), notSpec)
		spec.Format = req.format
		return spec, err
	}
	preset, ok := cat.Preset(req.preset)
	if !ok {
		return transform.Spec{}, &catalog.NotFoundError{Kind: "preset", ID: req.preset}
	}
	return variant.PresetSpec(preset, req.format), nil
}

// parseVariant reads and checks the path and query of an /img request.
func parseVariant(c *fiber.Ctx) (variantRequest, error) {
	var r variantRequest
	for _, p := range []struct {
		name string
		dst  *string
	}{{"sku", &r.sku}, {"view", &r.view}, {"file", &r.preset}} {
		v := c.Params(p.name)
		if !httpx.SafeSegment(v) {
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
	if r.locale != "" && !httpx.SafeToken(r.locale) {
		return r, problem.New(http.StatusBadRequest, "invalid_locale", "locale must look like de-DE").WithField("locale")
	}
	if r.hub != "" && !httpx.SafeToken(r.hub) {
		return r, problem.New(http.StatusBadRequest, "invalid_hub", "hub must be a hub id such as eu-waw").WithField("hub")
	}
	r.versioned = c.Query("v") != ""
	return r, nil
}
