package origin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
)

// Inventory and the desync runbook's admin API (issue 7): snapshots and
// patches per hub, operators' overrides, and reconciliation against a
// physical count. Everything is written to the store first, so every
// replica converges through polling, then applied here at once.

// inventoryRoutes registers the inventory admin routes on the admin group.
func (s *Server) inventoryRoutes(admin fiber.Router) {
	admin.Get("/inventory/:hub", s.needRules, s.getInventory)
	admin.Put("/inventory/:hub", s.needRules, s.putInventory)
	admin.Patch("/inventory/:hub", s.needRules, s.patchInventory)
	admin.Post("/reconcile/:hub", s.needRules, s.reconcile)
	admin.Get("/overrides", s.needRules, s.listOverrides)
	admin.Post("/overrides", s.needRules, s.addOverride)
	admin.Delete("/overrides/:id", s.needRules, s.deleteOverride)
}

// needRules guards the admin routes that work on the rule store: without
// routing configured they answer 503 routing_disabled.
func (s *Server) needRules(c *fiber.Ctx) error {
	if s.Rules == nil {
		return routingOff()
	}
	return c.Next()
}

// Overrides is the operators' overrides the store keeps in step.
func (r *RuleStore) Overrides() *routing.StoreOverrides { return r.ovr }

func (r *RuleStore) syncOverrides(ctx context.Context) {
	_, err := r.ovr.Refresh(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && ctx.Err() == nil:
		r.report("overrides", err.Error(), func() {
			r.log.Error("overrides refresh failed; the last good overrides stay in force", "err", err)
		})
	case err == nil:
		r.reported["overrides"] = ""
	}
}

// knownHub copies the :hub parameter (fiber reuses its buffer) and checks it
// against the catalog.
func (s *Server) knownHub(c *fiber.Ctx) (string, *catalog.Catalog, error) {
	hub := strings.Clone(c.Params("hub"))
	cat := s.Catalog.Current()
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

func (s *Server) sendStored(c *fiber.Ctx, st *routing.Stored) error {
	s.log.Info("inventory published", "hub", st.Hub, "seq", st.Snapshot.Seq, "etag", st.ETag)
	c.Set(fiber.HeaderETag, st.ETag)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(st)
}

// getInventory serves GET /admin/inventory/{hub}: the held snapshot and its
// age by the engine's clock.
func (s *Server) getInventory(c *fiber.Ctx) error {
	hub, _, err := s.knownHub(c)
	if err != nil {
		return err
	}
	snap, ok := s.Rules.Inventory().Snapshot(hub)
	if !ok {
		return problem.New(http.StatusNotFound, "no_snapshot", "no snapshot of %s is loaded", hub)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"hub": hub, "age_s": s.Router.Now().Sub(snap.AsOf).Seconds(), "snapshot": snap})
}

// putInventory serves PUT /admin/inventory/{hub}: a full snapshot
// {"seq", "as_of", "items": {"sku": qty}}.
func (s *Server) putInventory(c *fiber.Ctx) error {
	hub, cat, err := s.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq   *int64         `json:"seq"`
		AsOf  time.Time      `json:"as_of"`
		Items map[string]int `json:"items"`
	}
	if err := decodeJSON(c, &req); err != nil {
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
	st, err := s.Rules.Inventory().Publish(c.UserContext(), hub, routing.Snapshot{Seq: *req.Seq, AsOf: req.AsOf, Items: req.Items})
	if err != nil {
		return inventoryError(err)
	}
	return s.sendStored(c, st)
}

// patchInventory serves PATCH /admin/inventory/{hub}: deltas
// {"seq", "as_of"?, "items": {"sku": delta}} on the held snapshot.
func (s *Server) patchInventory(c *fiber.Ctx) error {
	hub, cat, err := s.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq   *int64         `json:"seq"`
		AsOf  time.Time      `json:"as_of"`
		Items map[string]int `json:"items"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Seq == nil || *req.Seq < 0 {
		return problem.New(http.StatusBadRequest, "invalid_inventory", "seq is required (≥ 0, above the held one)").WithField("seq")
	}
	if err := checkItems(cat, req.Items, true); err != nil {
		return err
	}
	if req.AsOf.IsZero() {
		req.AsOf = s.Router.Now().UTC()
	}
	st, err := s.Rules.Inventory().ApplyPatch(c.UserContext(), hub, routing.Patch{Seq: *req.Seq, AsOf: req.AsOf, Items: req.Items})
	if err != nil {
		return inventoryError(err)
	}
	return s.sendStored(c, st)
}

// reconcile serves POST /admin/reconcile/{hub}: a physical count
// {"items": {"sku": qty}} compared with the held snapshot. Nothing changes.
func (s *Server) reconcile(c *fiber.Ctx) error {
	hub, cat, err := s.knownHub(c)
	if err != nil {
		return err
	}
	var req struct {
		Items map[string]int `json:"items"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := checkItems(cat, req.Items, false); err != nil {
		return err
	}
	held, _ := s.Rules.Inventory().Snapshot(hub)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(routing.Reconcile(hub, held, req.Items))
}

// operator names who sends an admin request: the X-Operator header, else
// the admin token's position in the token file.
func (s *Server) operator(c *fiber.Ctx) string {
	// Cloned: fiber reuses the header's buffer once the handler returns.
	if op := strings.Clone(strings.TrimSpace(c.Get("X-Operator"))); op != "" {
		if len(op) > 100 {
			op = op[:100]
		}
		return op
	}
	token, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	idx := 0
	for i, t := range s.adminTokens {
		if subtle.ConstantTimeCompare(sum[:], t[:]) == 1 {
			idx = i + 1
		}
	}
	return "token#" + strconv.Itoa(idx)
}

// listOverrides serves GET /admin/overrides: those in force.
func (s *Server) listOverrides(c *fiber.Ctx) error {
	now := s.Router.Now()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"now": now.UTC(), "overrides": s.Rules.Overrides().Active(now)})
}

// addOverride serves POST /admin/overrides: {hub, sku?, qty? | disabled:
// true, reason, expires_at}.
func (s *Server) addOverride(c *fiber.Ctx) error {
	var req struct {
		Hub       string    `json:"hub"`
		SKU       string    `json:"sku"`
		Qty       *int      `json:"qty"`
		Disabled  bool      `json:"disabled"`
		Reason    string    `json:"reason"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat := s.Catalog.Current()
	if _, ok := cat.Hub(req.Hub); !ok && req.Hub != "" {
		return problem.New(http.StatusNotFound, "unknown_hub", "%q is not a hub in the catalog", req.Hub).WithField("hub")
	}
	if _, ok := cat.SKU(req.SKU); !ok && req.SKU != "" {
		return problem.New(http.StatusBadRequest, "unknown_sku", "%q is not a SKU in the catalog", req.SKU).WithField("sku")
	}
	now := s.Router.Now()
	o := routing.Override{Hub: req.Hub, SKU: req.SKU, Qty: req.Qty, Disabled: req.Disabled, Reason: req.Reason,
		ExpiresAt: req.ExpiresAt.UTC(), Operator: s.operator(c)}
	if field, msg := o.Check(now); field != "" {
		return problem.New(http.StatusBadRequest, "invalid_override", "%s", msg).WithField(field)
	}
	o, err := s.Rules.Overrides().Add(c.UserContext(), o, now)
	if err != nil {
		return err
	}
	s.log.Warn("inventory override set", "id", o.ID, "hub", o.Hub, "sku", o.SKU, "disabled", o.Disabled, "operator", o.Operator, "reason", o.Reason, "expires_at", o.ExpiresAt)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(o)
}

// deleteOverride serves DELETE /admin/overrides/{id}.
func (s *Server) deleteOverride(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	o, ok, err := s.Rules.Overrides().Remove(c.UserContext(), id, s.Router.Now())
	if err != nil {
		return err
	}
	if !ok {
		return problem.New(http.StatusNotFound, "unknown_override", "no override has id %q (GET /admin/overrides lists them)", id).WithField("id")
	}
	s.log.Warn("inventory override removed", "id", o.ID, "hub", o.Hub, "operator", s.operator(c))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(o)
}
