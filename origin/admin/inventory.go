package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/routing"
)

// Inventory and the desync runbook's admin API (issue 7): snapshots and
// patches per hub, operators' overrides, and reconciliation against a
// physical count. Everything is written to the store first, so every
// replica converges through polling, then applied here at once.

// inventoryRoutes registers the inventory admin routes on the admin group.
func (h *Handler) inventoryRoutes(admin fiber.Router) {
	admin.Get("/inventory/:hub", h.needRules, h.getInventory)
	admin.Put("/inventory/:hub", h.needRules, h.putInventory)
	admin.Patch("/inventory/:hub", h.needRules, h.patchInventory)
	admin.Post("/reconcile/:hub", h.needRules, h.reconcile)
	admin.Get("/overrides", h.needRules, h.listOverrides)
	admin.Post("/overrides", h.needRules, h.addOverride)
	admin.Delete("/overrides/:id", h.needRules, h.deleteOverride)
}

// knownHub copies the :hub parameter (fiber reuses its buffer) and checks it
// against the catalog.
func (h *Handler) knownHub(c *fiber.Ctx) (string, *catalog.Catalog, error) {
	hub := strings.Clone(c.Params("hub"))
	cat := h.Catalog.Current()
	if _, ok := cat.Hub(hub); !ok {
		return "", nil, problem.New(http.StatusNotFound, "unknown_hub", "%q is not a hub in the catalog", hub).WithField("hub")
	}
	return hub, cat, nil
}

// checkItems validates an items map: catalog SKUs, and no negative count
// unless deltas are allowed.
func checkItems(cat *catalog.Catalog, items map[string]int, deltas bool) error {
	if items == nil {
		return problem.New(http.StatusBadRequest, "invalid_inventory", `items is required ({"sku": qty})`).WithField("items")
	}
	for sku, q := range items {
		field := "items." + sku
		if _, ok := cat.SKU(sku); !ok {
			return problem.New(http.StatusBadRequest, "unknown_sku", "%q is not a SKU in the catalog", sku).WithField(field)
		}
		if q < 0 && !deltas {
			return problem.New(http.StatusBadRequest, "invalid_inventory", "%s is negative (%d)", field, q).WithField(field)
		}
	}
	return nil
}

// inventoryError maps the inventory writers' errors to problems.
func inventoryError(err error) error {
	var stale *routing.StaleSeqError
	switch {
	case errors.As(err, &stale):
		detail := "seq " + strconv.FormatInt(stale.Seq, 10) + " is not above the held seq " + strconv.FormatInt(stale.Held, 10) + "; nothing was applied"
		if stale.Duplicate {
			detail = "seq " + strconv.FormatInt(stale.Seq, 10) + " is the held seq: it is already applied"
		}
		return problem.Wrap(err, http.StatusConflict, "stale_seq", "%s", detail).WithField("seq").
			With("held_seq", stale.Held).With("duplicate", stale.Duplicate)
	case errors.Is(err, routing.ErrNoSnapshot):
		return problem.Wrap(err, http.StatusConflict, "no_snapshot", "the hub has no snapshot to patch: PUT a full snapshot first")
	}
	return err
}

func (h *Handler) sendStored(c *fiber.Ctx, st *routing.Stored) error {
	h.log.Info("inventory published", "hub", st.Hub, "seq", st.Snapshot.Seq, "etag", st.ETag)
	c.Set(fiber.HeaderETag, st.ETag)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(st)
}

// getInventory serves GET /admin/inventory/{hub}: the held snapshot and its
// age by the engine's clock.
func (h *Handler) getInventory(c *fiber.Ctx) error {
	hub, _, err := h.knownHub(c)
	if err != nil {
		return err
	}
	snap, ok := h.Rules.Inventory().Snapshot(hub)
	if !ok {
		return problem.New(http.StatusNotFound, "no_snapshot", "no snapshot of %s is loaded", hub)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"hub": hub, "age_s": h.Router.Now().Sub(snap.AsOf).Seconds(), "snapshot": snap})
}

// putInventory serves PUT /admin/inventory/{hub}: a full snapshot
// {"seq", "as_of", "items": {"sku": qty}}.
func (h *Handler) putInventory(c *fiber.Ctx) error {
	hub, cat, err := h.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq   *int64         `json:"seq"`
		AsOf  time.Time      `json:"as_of"`
		Items map[string]int `json:"items"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.Seq == nil || *req.Seq < 0:
		return problem.New(http.StatusBadRequest, "invalid_inventory", "seq is required (≥ 0, above the held one)").WithField("seq")
	case req.AsOf.IsZero():
		return problem.New(http.StatusBadRequest, "invalid_inventory", "as_of is required (RFC 3339)").WithField("as_of")
	}
	if err := checkItems(cat, req.Items, false); err != nil {
		return err
	}
	st, err := h.Rules.Inventory().Publish(c.UserContext(), hub, routing.Snapshot{Seq: *req.Seq, AsOf: req.AsOf, Items: req.Items})
	if err != nil {
		return inventoryError(err)
	}
	return h.sendStored(c, st)
}

// patchInventory serves PATCH /admin/inventory/{hub}: deltas
// {"seq", "as_of"?, "items": {"sku": delta}} on the held snapshot.
func (h *Handler) patchInventory(c *fiber.Ctx) error {
	hub, cat, err := h.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq   *int64         `json:"seq"`
		AsOf  time.Time      `json:"as_of"`
		Items map[string]int `json:"items"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Seq == nil || *req.Seq < 0 {
		return problem.New(http.StatusBadRequest, "invalid_inventory", "seq is required (≥ 0, above the held one)").WithField("seq")
	}
	if err := checkItems(cat, req.Items, true); err != nil {
		return err
	}
	if req.AsOf.IsZero() {
		req.AsOf = h.Router.Now().UTC()
	}
	st, err := h.Rules.Inventory().ApplyPatch(c.UserContext(), hub, routing.Patch{Seq: *req.Seq, AsOf: req.AsOf, Items: req.Items})
	if err != nil {
		return inventoryError(err)
	}
	return h.sendStored(c, st)
}

// reconcile serves POST /admin/reconcile/{hub}: a physical count
// {"items": {"sku": qty}} compared with the held snapshot. Nothing changes.
func (h *Handler) reconcile(c *fiber.Ctx) error {
	hub, cat, err := h.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Items map[string]int `json:"items"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := checkItems(cat, req.Items, false); err != nil {
		return err
	}
	held, _ := h.Rules.Inventory().Snapshot(hub)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(routing.Reconcile(hub, held, req.Items))
}

// listOverrides serves GET /admin/overrides: those in force.
func (h *Handler) listOverrides(c *fiber.Ctx) error {
	now := h.Router.Now()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"now": now.UTC(), "overrides": h.Rules.Overrides().Active(now)})
}

// addOverride serves POST /admin/overrides: {hub, sku?, qty? | disabled:
// true, reason, expires_at}.
func (h *Handler) addOverride(c *fiber.Ctx) error {
	var req struct {
		Hub       string    `json:"hub"`
		SKU       string    `json:"sku"`
		Qty       *int      `json:"qty"`
		Disabled  bool      `json:"disabled"`
		Reason    string    `json:"reason"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	cat := h.Catalog.Current()
	if _, ok := cat.Hub(req.Hub); !ok && req.Hub != "" {
		return problem.New(http.StatusNotFound, "unknown_hub", "%q is not a hub in the catalog", req.Hub).WithField("hub")
	}
	if _, ok := cat.SKU(req.SKU); !ok && req.SKU != "" {
		return problem.New(http.StatusBadRequest, "unknown_sku", "%q is not a SKU in the catalog", req.SKU).WithField("sku")
	}
	now := h.Router.Now()
	o := routing.Override{Hub: req.Hub, SKU: req.SKU, Qty: req.Qty, Disabled: req.Disabled, Reason: req.Reason,
		ExpiresAt: req.ExpiresAt.UTC(), Operator: operator(c)}
	if field, msg := o.Check(now); field != "" {
		return problem.New(http.StatusBadRequest, "invalid_override", "%s", msg).WithField(field)
	}
	o, err := h.Rules.Overrides().Add(c.UserContext(), o, now)
	if err != nil {
		return err
	}
	h.log.Warn("inventory override set", "id", o.ID, "hub", o.Hub, "sku", o.SKU, "disabled", o.Disabled, "operator", o.Operator, "reason", o.Reason, "expires_at", o.ExpiresAt)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(o)
}

// deleteOverride serves DELETE /admin/overrides/{id}.
func (h *Handler) deleteOverride(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	o, ok, err := h.Rules.Overrides().Remove(c.UserContext(), id, h.Router.Now())
	if err != nil {
		return err
	}
	if !ok {
		return problem.New(http.StatusNotFound, "unknown_override", "no override has id %q (GET /admin/overrides lists them)", id).WithField("id")
	}
	h.log.Warn("inventory override removed", "id", o.ID, "hub", o.Hub, "operator", operator(c))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(o)
}
