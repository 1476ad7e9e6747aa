package admin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
	"github.com/edgeshelf/edgeshelf/store"
)

// Config tunes the admin API.
type Config struct {
	// DeltaEThreshold is shown by the console next to measured swatches.
	DeltaEThreshold float64
	// SignPresets: the console signs the preset URLs it shows.
	SignPresets bool
}

// Deps are what the admin handlers read and change. Rules nil means
// routing is off: its routes answer 503; Carriers nil likewise.
type Deps struct {
	Variants  *variant.Service
	Catalog   *catalog.Source
	Store     store.Blob
	Router    *routing.Engine
	Rules     *rulestore.Store
	Carriers  *carrierhealth.Monitor
	Expansion expansion.Config
	Stocking  fromstore.Config
	Signer    *signing.Signer
	Log       *slog.Logger
	// Replica reports what the core tracks (draining, the store's health)
	// for GET /admin/status.
	Replica func() Replica
}

// Handler serves /admin and the console.
type Handler struct {
	cfg Config
	Deps
	variants *variant.Service
	log      *slog.Logger
	warmJobs warmJobs
}

// New builds the handler.
func New(cfg Config, d Deps) (*Handler, error) {
	if d.Variants == nil || d.Catalog == nil || d.Store == nil {
		return nil, errors.New("admin: the variant service, catalog and store are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Expansion == (expansion.Config{}) {
		d.Expansion = expansion.DefaultConfig()
	}
	if err := d.Expansion.Validate(); err != nil {
		return nil, err
	}
	if d.Stocking == (fromstore.Config{}) {
		d.Stocking = fromstore.DefaultConfig()
	}
	if err := d.Stocking.Validate(); err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, Deps: d, variants: d.Variants, log: d.Log}, nil
}

// Register adds the console's shell on app (behind adminOnly, which keeps
// it to the admin listener when there is one) and every admin route on the
// admin group, which the caller guards with the token check.
func (h *Handler) Register(app fiber.Router, admin fiber.Router, adminOnly fiber.Handler) {
	admin.Get("/status", h.status)
	admin.Post("/purge", h.purge)
	admin.Get("/reports/colour", h.reportColour)
	admin.Get("/reports/gallery", h.reportGallery())
	admin.Put("/rules", h.needRules, h.putRules)
	admin.Get("/rules/versions", h.needRules, h.ruleVersions)
	admin.Post("/rules/rollback/:n", h.needRules, h.rollbackRules)
	admin.Post("/warm", h.warm)
	admin.Get("/warm/:id", h.warmStatus)
	h.inventoryRoutes(admin)
	h.fulfilmentRoutes(admin)
	h.stockingRoutes(admin)
	h.consoleRoutes(app, admin, adminOnly)
}

// Close cancels running warm-ups and waits for them, within ctx.
func (h *Handler) Close(ctx context.Context) error { return h.warmJobs.close(ctx) }

func routingOff() error {
	return problem.New(http.StatusServiceUnavailable, "routing_disabled", "routing is not configured on this server")
}

// needRules guards the admin routes that work on the rule store: without
// routing configured they answer 503 routing_disabled.
func (h *Handler) needRules(c *fiber.Ctx) error {
	if h.Rules == nil {
		return routingOff()
	}
	return c.Next()
}

// operator names who sends an admin request: the X-Operator header, else
// the admin token that the token check matched.
func operator(c *fiber.Ctx) string {
	// Cloned: fiber reuses the header's buffer once the handler returns.
	if op := strings.Clone(strings.TrimSpace(c.Get("X-Operator"))); op != "" {
		if len(op) > 100 {
			op = op[:100]
		}
		return op
	}
	return httpx.Operator(c)
}

var skuPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// purge drops every cached variant of a SKU from every tier.
// POST /admin/purge {"sku": "amber-oud-50ml"}
func (h *Handler) purge(c *fiber.Ctx) error {
	var req struct {
		SKU string `json:"sku"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if !skuPattern.MatchString(req.SKU) {
		return problem.New(http.StatusBadRequest, "invalid_sku", "sku must be a SKU id such as amber-oud-50ml").WithField("sku")
	}
	removed, err := h.variants.Cache().Purge(c.UserContext(), req.SKU)
	if err != nil {
		return err
	}
	if _, err := h.variants.PurgePyramids(c.UserContext(), req.SKU); err != nil {
		return err
	}
	h.log.Info("purged", "sku", req.SKU, "removed", removed)
	return c.JSON(fiber.Map{"sku": req.SKU, "removed": removed, "surrogate_key": "sku-" + req.SKU})
}
