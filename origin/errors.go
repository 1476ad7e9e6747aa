package origin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// toProblem maps any error to the problem the client sees. Typed errors
// carry their own; the rest are mapped here and only here.
func toProblem(err error) *problem.Error {
	if p, ok := problem.As(err); ok {
		return p
	}
	var nf *catalog.NotFoundError
	var fe *fiber.Error
	var nn *routing.NoNodeError
	var oe *routing.OrderError
	var ve *routing.ValidationError
	switch {
	case errors.As(err, &nn):
		return noNodeProblem(nn)
	case errors.As(err, &oe):
		status := http.StatusBadRequest
		if oe.Code == "unknown_sku" {
			status = http.StatusNotFound
		}
		return problem.Wrap(err, status, oe.Code, "%s: %s", oe.Field, oe.Msg).WithField(oe.Field)
	case errors.As(err, &ve):
		return invalidRulesProblem(ve)
	case errors.As(err, &nf):
		code := map[string]string{
			"sku": "unknown_sku", "view": "unknown_view", "preset": "unknown_preset",
			"hub": "unknown_hub", "original": "source_not_found", "locale": "unknown_locale",
		}[nf.Kind]
		return problem.Wrap(err, http.StatusNotFound, code, "%s", nf.Error())
	case errors.Is(err, store.ErrNotFound):
		return problem.Wrap(err, http.StatusNotFound, "source_not_found", "the original photo is not in the store")
	case errors.Is(err, store.ErrTooLarge):
		return problem.Wrap(err, http.StatusUnprocessableEntity, "image_too_large", "the original photo is over the size limit")
	case errors.Is(err, store.ErrInvalidKey):
		return problem.Wrap(err, http.StatusBadRequest, "invalid_path", "the path names an invalid object")
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		p := problem.Wrap(err, http.StatusServiceUnavailable, "store_unavailable", "the store did not answer in time; retry shortly")
		p.RetryAfter = 2
		return p
	case errors.As(err, &fe):
		code := "http_error"
		switch fe.Code {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			code = "body_too_large"
		case http.StatusRequestHeaderFieldsTooLarge:
			code = "headers_too_large"
		case http.StatusBadRequest:
			code = "bad_request"
		}
		return problem.New(fe.Code, code, "%s", fe.Message)
	}
	return problem.Wrap(err, http.StatusInternalServerError, "internal", "the server failed to handle the request")
}

// errorHandler is fiber's one ErrorHandler: every failure becomes an
// application/problem+json body with a stable code.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := toProblem(err)
	switch {
	case p.Status == http.StatusServiceUnavailable:
		// Expected under load, outages and shutdown (draining, a full render
		// queue, S3 down): worth a warning, not an error page at 3 a.m.
		s.log.Warn("request refused", "method", c.Method(), "path", c.Path(), "code", p.Code, "err", err)
	case p.Status >= 500:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", p.Status, "code", p.Code, "err", err)
	case p.Status == http.StatusUnprocessableEntity:
		// A bad original is the shop's problem to fix: say which and why.
		s.log.Warn("bad source", "path", c.Path(), "code", p.Code, "err", err)
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set("X-Content-Type-Options", "nosniff")
	if p.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(p.RetryAfter))
	}
	switch {
	case p.Status == http.StatusNotFound && s.cfg.ErrorMaxAge > 0:
		// A short TTL keeps CDNs from hammering the origin for a missing
		// variant without pinning the 404 after the photo is uploaded.
		c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(s.cfg.ErrorMaxAge.Seconds())))
	default:
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	body := struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Status   int    `json:"status"`
		Detail   string `json:"detail,omitempty"`
		Code     string `json:"code"`
		Field    string `json:"field,omitempty"`
		Instance string `json:"instance,omitempty"`
	}{
		Type:     "https://github.com/edgeshelf/edgeshelf/blob/main/docs/errors.md#" + p.Code,
		Title:    p.Title,
		Status:   p.Status,
		Detail:   p.Detail,
		Code:     p.Code,
		Field:    p.Field,
		Instance: c.Path(),
	}
	if body.Title == "" {
		body.Title = http.StatusText(p.Status)
	}
	var out any = body
	if len(p.Extensions) > 0 {
		out = withExtensions(body, p.Extensions)
	}
	if err := c.JSON(out); err != nil {
		slog.Error("writing problem body", "err", err)
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}
