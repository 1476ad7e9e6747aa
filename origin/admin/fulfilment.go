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
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
)

// The admin side of fulfilment operations (issue 7): carrier breakers,
// delivery outcomes for the decision log, and the expansion report built
// from them.

// fulfilmentRoutes registers the admin side on the admin group.
func (h *Handler) fulfilmentRoutes(admin fiber.Router) {
	admin.Get("/carriers", h.needCarriers, h.listCarriers)
	admin.Post("/carriers/:id/report", h.needCarriers, h.reportCarrier)
	admin.Post("/deliveries", h.postDeliveries)
	admin.Get("/reports/expansion", h.reportExpansion)
}

func (h *Handler) needCarriers(c *fiber.Ctx) error {
	if h.Carriers == nil {
		return problem.New(http.StatusServiceUnavailable, "carriers_disabled", "carrier health is not configured on this server")
	}
	return c.Next()
}

// listCarriers serves GET /admin/carriers: every carrier's breaker.
func (h *Handler) listCarriers(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"carriers": h.Carriers.Statuses()})
}

// reportCarrier serves POST /admin/carriers/{id}/report
// {"outcome": "failure"|"success", "detail": "failed pickup at 14:00"}.
func (h *Handler) reportCarrier(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	var req struct {
		Outcome string `json:"outcome"`
		Detail  string `json:"detail"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Outcome != carrierhealth.OutcomeFailure && req.Outcome != carrierhealth.OutcomeSuccess {
		return problem.New(http.StatusBadRequest, "invalid_report", `outcome must be "failure" or "success", got %q`, req.Outcome).WithField("outcome")
	}
	if len(req.Detail) > 500 {
		return problem.New(http.StatusBadRequest, "invalid_report", "detail is at most 500 bytes").WithField("detail")
	}
	st, err := h.Carriers.Report(id, req.Outcome == carrierhealth.OutcomeSuccess, req.Detail)
	if errors.Is(err, carrierhealth.ErrUnknownCarrier) {
		return problem.New(http.StatusNotFound, "unknown_carrier", "%q is not a carrier in the catalog", id).WithField("id")
	}
	if err != nil {
		return err
	}
	h.log.Warn("carrier report", "carrier", id, "outcome", req.Outcome, "detail", req.Detail, "operator", operator(c), "breaker", st.Breaker)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(st)
}

// maxDeliveries bounds one POST /admin/deliveries.
const maxDeliveries = 10_000

// postDeliveries serves POST /admin/deliveries: one delivery outcome
// {"decision_id", "delivered_at", "cost", "currency"?} or a list of them.
// 201 means the store has them.
func (h *Handler) postDeliveries(c *fiber.Ctx) error {
	ds, err := httpx.DecodeOneOrMany[decisionlog.Delivery](c)
	if err != nil {
		return err
	}
	if len(ds) == 0 || len(ds) > maxDeliveries {
		return problem.New(http.StatusBadRequest, "invalid_delivery", "send 1 to %d deliveries, got %d", maxDeliveries, len(ds))
	}
	now := time.Now()
	for i, d := range ds {
		field := "[" + strconv.Itoa(i) + "]."
		switch {
		case d.DecisionID == "" || len(d.DecisionID) > 64:
			return problem.New(http.StatusBadRequest, "invalid_delivery", "decision_id is required (at most 64 bytes)").WithField(field + "decision_id")
		case d.DeliveredAt.IsZero():
			return problem.New(http.StatusBadRequest, "invalid_delivery", "delivered_at is required (RFC 3339)").WithField(field + "delivered_at")
		case d.DeliveredAt.After(now.Add(time.Hour)):
			return problem.New(http.StatusBadRequest, "invalid_delivery", "delivered_at %s is in the future", d.DeliveredAt.Format(time.RFC3339)).WithField(field + "delivered_at")
		case !(d.Cost >= 0) || d.Cost > 1e9:
			return problem.New(http.StatusBadRequest, "invalid_delivery", "cost must be a number ≥ 0").WithField(field + "cost")
		}
		ds[i].DeliveredAt = d.DeliveredAt.UTC()
	}
	key, err := decisionlog.PutDeliveries(c.UserContext(), h.Store, ds, now)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(fiber.Map{"stored": len(ds), "key": key})
}

// reportExpansion serves GET /admin/reports/expansion?weeks=8.
func (h *Handler) reportExpansion(c *fiber.Ctx) error {
	cfg := h.Expansion
	weeks := cfg.Weeks
	if v := c.Query("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > expansion.MaxWeeks {
			return problem.New(http.StatusBadRequest, "invalid_report", "weeks must be a whole number within 1..%d", expansion.MaxWeeks).WithField("weeks")
		}
		weeks = n
	}
	rep, err := expansion.Load(c.UserContext(), h.Store, cfg, weeks, time.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if strings.Contains(c.Get(fiber.HeaderAccept), "text/plain") {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return rep.WriteTable(c)
	}
	return c.JSON(rep)
}
