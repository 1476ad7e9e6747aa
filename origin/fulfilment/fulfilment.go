package fulfilment

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
)

// Config tunes the fulfilment API.
type Config struct {
	// RouteMaxAge is the Cache-Control max-age of GET /route (0: no-store).
	RouteMaxAge time.Duration
}

// Deps are what the handlers read; Router nil means routing is off (503).
type Deps struct {
	Catalog *catalog.Source
	Router  *routing.Engine
	// Decisions is the decision log decisions are appended to; optional.
	Decisions *decisionlog.Writer
	// Signer signs the image sets' URLs; nil when signing is off.
	Signer *signing.Signer
}

// Handler serves /route and /returns/route.
type Handler struct {
	cfg Config
	Deps
	// imageSets are /route's finished (signed) image sets.
	imageSets *lru.Cache[string, imageSetEntry]
}

// New builds the handler.
func New(cfg Config, d Deps) *Handler {
	sets, _ := lru.New[string, imageSetEntry](4096)
	return &Handler{cfg: cfg, Deps: d, imageSets: sets}
}

// Register adds the public fulfilment routes.
func (h *Handler) Register(r fiber.Router) {
	r.Get("/route", h.routeGet)
	r.Post("/route", h.routePost)
	r.Post("/returns/route", h.returnsRoute)
}

func routingOff() error {
	return problem.New(http.StatusServiceUnavailable, "routing_disabled", "routing is not configured on this server")
}

// returnsRoute serves POST /returns/route {"sku", "from": {"country",
// "lat"?, "lon"?}, "reason"?}: where the item goes back, the label carrier
// and whether it can be restocked there.
func (h *Handler) returnsRoute(c *fiber.Ctx) error {
	if h.Router == nil {
		return routingOff()
	}
	var req routing.ReturnRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	rr, err := h.Router.RouteReturn(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(rr)
}

// logDecision appends a page view's decision to the decision log, when
// there is one, without waiting: a page view promises nobody anything, so
// it may be lost in a crash.
func (h *Handler) logDecision(d *routing.Decision, o *routing.Order, source string) {
	if h.Decisions != nil {
		h.Decisions.Append(decisionlog.FromDecision(d, o, source))
	}
}

// commitDecision records an order's decision durably (see
// decisionlog.Writer.Commit) before it is answered.
func (h *Handler) commitDecision(ctx context.Context, d *routing.Decision, o *routing.Order) error {
	if h.Decisions == nil {
		return nil
	}
	if err := h.Decisions.Commit(ctx, decisionlog.FromDecision(d, o, decisionlog.SourceOrder)); err != nil {
		slog.Error("decision log: order not recorded", "decision_id", d.DecisionID, "err", err)
		return problem.New(http.StatusServiceUnavailable, "decision_log_unavailable", "the decision could not be recorded; retry")
	}
	return nil
}
