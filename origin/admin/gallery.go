package admin

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/gallery"
	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// galleryReport is the body of GET /admin/reports/gallery.
type galleryReport struct {
	Thresholds gallery.Thresholds `json:"thresholds"`
	// Flagged counts the flagged photos of the SKUs reported.
	Flagged int                  `json:"flagged"`
	SKUs    []*gallery.SKUReport `json:"skus"`
}

// reportGallery returns the handler of GET /admin/reports/gallery
// (?sku=, ?format=json|text, threshold overrides ?white_balance=,
// ?exposure_stops=, ?swatch_delta_e=): every SKU's photos compared on
// white balance, exposure and swatch colour, outliers flagged. It owns the
// gallery service, whose measurements are kept by original and ETag.
func (h *Handler) reportGallery() fiber.Handler {
	svc, err := gallery.New(gallery.DefaultConfig(), h.Store, h.variants.RenderConfig())
	return func(c *fiber.Ctx) error {
		if err != nil {
			return err
		}
		th, err := galleryThresholds(c)
		if err != nil {
			return err
		}
		format := c.Query("format", "json")
		if format != "json" && format != "text" {
			return problem.New(http.StatusBadRequest, "invalid_parameter", "format must be json or text").WithField("format")
		}
		reports, err := h.galleryReports(c, svc, th)
		if err != nil {
			return err
		}
		out := galleryReport{Thresholds: th, SKUs: reports}
		for _, r := range reports {
			out.Flagged += r.Flagged
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		if format == "text" {
			c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
			return c.SendString(galleryText(out))
		}
		return c.JSON(out)
	}
}

// galleryReports is one SKU's report (?sku=) or every SKU's.
func (h *Handler) galleryReports(c *fiber.Ctx, svc *gallery.Service, th gallery.Thresholds) ([]*gallery.SKUReport, error) {
	cat := h.Catalog.Current()
	sku := c.Query("sku")
	if sku == "" {
		return svc.ReportAll(c.UserContext(), cat, th)
	}
	if !skuPattern.MatchString(sku) {
		return nil, problem.New(http.StatusBadRequest, "invalid_sku", "sku must be a SKU id such as amber-oud-50ml").WithField("sku")
	}
	rep, err := svc.Report(c.UserContext(), cat, sku, th)
	if err != nil {
		return nil, err
	}
	return []*gallery.SKUReport{rep}, nil
}

// galleryThresholds are the defaults with the query's overrides.
func galleryThresholds(c *fiber.Ctx) (gallery.Thresholds, error) {
	th := gallery.DefaultThresholds()
	for _, p := range []struct {
		name string
		dst  *float64
	}{{"white_balance", &th.WhiteBalance}, {"exposure_stops", &th.ExposureStops}, {"swatch_delta_e", &th.SwatchDeltaE}} {
		raw := c.Query(p.name)
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return th, problem.New(http.StatusBadRequest, "invalid_parameter", "%s must be a positive number", p.name).WithField(p.name)
		}
		*p.dst = v
	}
	return th, th.Validate() // the loop above refused what it refuses
}
