package origin

import (
	"net/http"
	"sort"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// healthz is liveness: the process is up and its event loop answers.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

// readyz is readiness, the pod's own state: a catalog is loaded, the
// server is not draining and its render workers take work. The store is
// not checked: an outage hits every replica alike, and taking them all out
// of the Service would stop the L1 hits and routing that still answer. It
// degrades service instead (degraded.go, GET /admin/status).
//
// The body is public: it carries no error text (a catalog reload error
// names store keys and parser detail; GET /admin/status shows it).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.draining.Load() {
		return problem.New(http.StatusServiceUnavailable, "draining", "the server is shutting down")
	}
	cat := s.Catalog.Current()
	if cat == nil {
		return problem.New(http.StatusServiceUnavailable, "catalog_not_loaded", "no catalog is loaded")
	}
	if !s.renders.alive() {
		p := problem.New(http.StatusServiceUnavailable, "render_stalled", "the render workers have taken no work for a while")
		p.RetryAfter = 5
		return p
	}
	return c.JSON(fiber.Map{"status": "ready", "skus": len(cat.SKUs)})
}

// index lists the catalog with example URLs, so `make run` users have
// somewhere to start.
func (s *Server) index(c *fiber.Ctx) error {
	cat := s.Catalog.Current()
	type skuLink struct {
		ID      string   `json:"id"`
		Title   string   `json:"title"`
		Views   []string `json:"views"`
		Example string   `json:"example"`
	}
	skus := make([]skuLink, 0, len(cat.SKUs))
	for _, k := range cat.SKUs {
		skus = append(skus, skuLink{ID: k.ID, Title: k.Title, Views: k.Views, Example: "/img/" + k.ID + "/" + k.Views[0] + "/pdp.webp"})
	}
	presets := make([]string, 0, len(cat.Presets))
	for _, p := range cat.Presets {
		presets = append(presets, p.Name)
	}
	locales := make([]string, 0, len(cat.Locales))
	for l := range cat.Locales {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	return c.JSON(fiber.Map{
		"service": "edgeshelf", "version": s.Version,
		"routes": []string{
			"GET /img/{sku}/{view}/{preset}.{jpg|png|webp|avif|auto}?locale=&hub=",
			"GET /img/{sku}/{view}/_.{fmt}?w=&h=&fit=&gravity=&dpr=&q=",
			"GET /route?sku=&qty=&country=&locale=", "POST /route",
			"GET /healthz", "GET /readyz", "GET /metrics",
		},
		"presets": presets, "locales": locales, "skus": skus,
	})
}
