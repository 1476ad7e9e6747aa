package origin

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// healthz is liveness: the process is up and its event loop answers.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

// readyz is readiness: a catalog is loaded, the store answers, and the
// server is not draining.
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.draining.Load() {
		return problem.New(http.StatusServiceUnavailable, "draining", "the server is shutting down")
	}
	if s.Catalog.Current() == nil {
		return problem.New(http.StatusServiceUnavailable, "catalog_not_loaded", "no catalog is loaded")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if _, err := s.Store.Stat(ctx, catalog.Key); err != nil {
		p := problem.Wrap(err, http.StatusServiceUnavailable, "store_unavailable", "the store did not answer: %v", err)
		p.RetryAfter = 2
		return p
	}
	body := fiber.Map{"status": "ready", "skus": len(s.Catalog.Current().SKUs)}
	if err := s.Catalog.LastError(); err != nil {
		// Still ready: the last good catalog keeps serving.
		body["catalog_reload_error"] = err.Error()
	}
	return c.JSON(body)
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
