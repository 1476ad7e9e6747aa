package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
)

// The admin side of stocking (issue 20): order imports and the stocking
// report with its delivery telemetry.

// stockingRoutes registers them on the admin group.
func (h *Handler) stockingRoutes(admin fiber.Router) {
	admin.Post("/orders/import", h.importOrders)
	admin.Post("/returns", h.postReturns)
	admin.Get("/reports/stocking", h.reportStocking)
}

// importOrders serves POST /admin/orders/import: a Shopify order export
// as a text/csv body (at most the server's EDGESHELF_MAX_BODY_BYTES).
// 201 with the counts means the store holds the whole import; 422 lists
// the bad rows by line and column and stores nothing.
func (h *Handler) importOrders(c *fiber.Ctx) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, "text/csv") && !strings.HasPrefix(ct, "application/csv") {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the order export as text/csv, got %q", ct)
	}
	res, err := orderimport.Parse(strings.NewReader(string(c.Body())), h.Catalog.Current().RegionOf)
	var bad *orderimport.Error
	if errors.As(err, &bad) {
		return problem.New(http.StatusUnprocessableEntity, "invalid_orders", "%s", bad.Error()).With("rows", bad.Rows).With("more_rows", bad.More)
	}
	if err != nil {
		return err
	}
	if len(res.Lines) == 0 {
		return problem.New(http.StatusUnprocessableEntity, "no_orders", "the export holds no shipped order lines (%d rows read)", res.Counts.Rows)
	}
	imp, err := orderimport.Put(c.UserContext(), h.Store, res, "POST /admin/orders/import by "+operator(c), time.Now())
	if err != nil {
		return err
	}
	h.log.Info("orders imported", "id", imp.ID, "lines", res.Counts.Lines, "orders", res.Counts.Orders, "operator", operator(c))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(fiber.Map{"id": imp.ID, "key": orderimport.Key(imp.ID), "counts": res.Counts})
}

// reportStocking serves GET /admin/reports/stocking?weeks=52&service_level=0.95:
// JSON, or the text tables with Accept: text/plain.
func (h *Handler) reportStocking(c *fiber.Ctx) error {
	if h.Router == nil {
		return routingOff()
	}
	cfg := h.Stocking
	weeks := cfg.HistoryWeeks
	if v := c.Query("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 4 || n > fromstore.MaxHistoryWeeks {
			return problem.New(http.StatusBadRequest, "invalid_report", "weeks must be a whole number within 4..%d", fromstore.MaxHistoryWeeks).WithField("weeks")
		}
		weeks = n
	}
	if v := c.Query("service_level"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0.5 && f <= 0.999) {
			return problem.New(http.StatusBadRequest, "invalid_report", "service_level must be a number within 0.5..0.999").WithField("service_level")
		}
		cfg.Stocking.ServiceLevel = f
	}
	cat := fromstore.Catalog{Catalog: h.Catalog.Current(), Rules: h.Router.Rules()}
	rep, err := fromstore.Load(c.UserContext(), h.Store, cfg, cat, weeks, time.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if strings.Contains(c.Get(fiber.HeaderAccept), "text/plain") {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return rep.WriteText(c)
	}
	return c.JSON(rep)
}

// maxReturns bounds one POST /admin/returns.
const maxReturns = 10_000

// postReturns serves POST /admin/returns: one return of a routed order
// {"decision_id", "returned_at", "reason"?} or a list of them, for the
// return rates next to the stocking plan. 201 means the store has them.
func (h *Handler) postReturns(c *fiber.Ctx) error {
	rs, err := httpx.DecodeOneOrMany[fromstore.Return](c)
	if err != nil {
		return err
	}
	if len(rs) == 0 || len(rs) > maxReturns {
		return problem.New(http.StatusBadRequest, "invalid_return", "send 1 to %d returns, got %d", maxReturns, len(rs))
	}
	now := time.Now()
	for i, r := range rs {
		field := "[" + strconv.Itoa(i) + "]."
		switch {
		case r.DecisionID == "" || len(r.DecisionID) > 64:
			return problem.New(http.StatusBadRequest, "invalid_return", "decision_id is required (at most 64 bytes)").WithField(field + "decision_id")
		case r.ReturnedAt.IsZero():
			return problem.New(http.StatusBadRequest, "invalid_return", "returned_at is required (RFC 3339)").WithField(field + "returned_at")
		case r.ReturnedAt.After(now.Add(time.Hour)):
			return problem.New(http.StatusBadRequest, "invalid_return", "returned_at %s is in the future", r.ReturnedAt.Format(time.RFC3339)).WithField(field + "returned_at")
		case len(r.Reason) > 500:
			return problem.New(http.StatusBadRequest, "invalid_return", "reason is at most 500 bytes").WithField(field + "reason")
		}
		rs[i].ReturnedAt = r.ReturnedAt.UTC()
	}
	key, err := fromstore.PutReturns(c.UserContext(), h.Store, rs, now)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(fiber.Map{"stored": len(rs), "key": key})
}
