package admin

import "github.com/gofiber/fiber/v2"

// reportColour serves GET /admin/reports/colour: variants over the
// threshold, worst first.
func (h *Handler) reportColour(c *fiber.Ctx) error {
	report := h.variants.Colour()
	issues := report.Issues()
	return c.JSON(fiber.Map{"threshold": report.Threshold(), "count": len(issues), "variants": issues})
}
