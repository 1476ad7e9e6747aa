package origin

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/origin/httpx"
)

// errorHandler is fiber's one ErrorHandler: every failure becomes an
// application/problem+json body with a stable code.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := httpx.ToProblem(err)
	rid := requestIDOf(c)
	switch {
	case p.Status == http.StatusServiceUnavailable:
		// Expected under load, outages and shutdown (draining, a full render
		// queue, S3 down): worth a warning, not an error page at 3 a.m.
		s.log.Warn("request refused", "method", c.Method(), "path", c.Path(), "code", p.Code, "request_id", rid, "err", err)
	case p.Status >= 500:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", p.Status, "code", p.Code, "request_id", rid, "err", err)
	case p.Status == http.StatusUnprocessableEntity:
		// A bad original is the shop's problem to fix: say which and why.
		s.log.Warn("bad source", "path", c.Path(), "code", p.Code, "request_id", rid, "err", err)
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
		// RequestID names the log lines of this request.
		RequestID string `json:"request_id,omitempty"`
	}{
		Type:      "https://github.com/edgeshelf/edgeshelf/blob/main/docs/errors.md#" + p.Code,
		Title:     p.Title,
		Status:    p.Status,
		Detail:    p.Detail,
		Code:      p.Code,
		Field:     p.Field,
		Instance:  c.Path(),
		RequestID: rid,
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

// withExtensions appends a problem's extension members to its standard
// body, after them and in name order; a member never overrides a standard
// one.
func withExtensions(body any, ext map[string]any) any {
	raw, err := json.Marshal(body)
	if err != nil || len(raw) < 2 || raw[len(raw)-1] != '}' {
		return body
	}
	var std map[string]json.RawMessage
	if err := json.Unmarshal(raw, &std); err != nil {
		return body
	}
	out := raw[:len(raw)-1]
	for _, k := range slices.Sorted(maps.Keys(ext)) {
		if _, taken := std[k]; taken {
			continue
		}
		v, err := json.Marshal(ext[k])
		if err != nil {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(k)
		out = append(append(append(out, name...), ':'), v...)
	}
	return json.RawMessage(append(out, '}'))
}
