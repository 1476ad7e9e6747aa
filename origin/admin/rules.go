package admin

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
)

// yamlTypes are the Content-Types PUT /admin/rules accepts.
var yamlTypes = map[string]bool{"application/yaml": true, "text/yaml": true, "application/x-yaml": true, "text/x-yaml": true}

// putRules serves PUT /admin/rules[?dry_run=1]: the body is a rules file.
func (h *Handler) putRules(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || !yamlTypes[mt] {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the rules file as application/yaml or text/yaml")
	}
	dry, err := httpx.BoolParam(c, "dry_run")
	if err != nil {
		return err
	}
	ch, err := h.Rules.Put(c.UserContext(), bytes.Clone(c.Body()), dry)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ch)
}

// ruleVersions serves GET /admin/rules/versions.
func (h *Handler) ruleVersions(c *fiber.Ctx) error {
	v, err := h.Rules.Versions(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

// rollbackRules serves POST /admin/rules/rollback/{n}.
func (h *Handler) rollbackRules(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return problem.New(http.StatusBadRequest, "invalid_rules_version", "n must be a stored version number (1, 2, ...)").WithField("n")
	}
	ch, err := h.Rules.Rollback(c.UserContext(), n)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ch)
}
