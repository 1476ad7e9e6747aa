package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
)

// consoleCache serves GET /admin/console/cache: each tier's hit ratio and
// bytes, the memory tier's fill, and the busiest variants.
func (h *Handler) consoleCache(c *fiber.Ctx) error {
	stats := h.variants.Cache().Stats(consoleTopKeys)
	keys := make([]string, len(stats.Top))
	for i, k := range stats.Top {
		keys[i] = k.Key
	}
	out := fiber.Map{"stats": stats, "variants": h.variants.Describe(h.Catalog.Current(), keys)}
	if l1, ok := h.variants.Cache().MemoryStats(); ok {
		out["l1"] = l1
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// ConsoleHubStock is one node's inventory as routing holds it.
type ConsoleHubStock struct {
	Hub    string         `json:"hub"`
	Name   string         `json:"name"`
	Kind   string         `json:"kind"`
	Loaded bool           `json:"loaded"`
	Seq    int64          `json:"seq,omitempty"`
	AsOf   *time.Time     `json:"as_of,omitempty"`
	AgeS   *float64       `json:"age_s,omitempty"`
	Items  map[string]int `json:"items,omitempty"`
}

// consoleInventory serves GET /admin/console/inventory: every node's
// snapshot and its age by the routing clock, and the overrides in force.
func (h *Handler) consoleInventory(c *fiber.Ctx) error {
	cat := h.Catalog.Current()
	now := h.Router.Now()
	hubs := make([]ConsoleHubStock, 0, len(cat.Hubs))
	for _, hub := range cat.Hubs {
		st := ConsoleHubStock{Hub: hub.ID, Name: hub.Name, Kind: hub.Kind}
		if st.Kind == "" {
			st.Kind = "hub"
		}
		if snap, ok := h.Rules.Inventory().Snapshot(hub.ID); ok {
			age := now.Sub(snap.AsOf).Seconds()
			asOf := snap.AsOf.UTC()
			st.Loaded, st.Seq, st.AsOf, st.AgeS, st.Items = true, snap.Seq, &asOf, &age, snap.Items
		}
		hubs = append(hubs, st)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"now": now.UTC(), "hubs": hubs, "overrides": h.Rules.Overrides().Active(now)})
}

// ActiveRules is GET /admin/rules/active: the rules file in the store, and
// the version this replica routes with (they differ while the file is
// broken, or when there is none and the playbook runs).
type ActiveRules struct {
	Stored  bool   `json:"stored"`
	YAML    string `json:"yaml"`
	ETag    string `json:"etag,omitempty"`
	Serving string `json:"serving"`
	Rules   int    `json:"rules"`
}

// activeRules serves GET /admin/rules/active.
func (h *Handler) activeRules(c *fiber.Ctx) error {
	rs := h.Router.Rules()
	out := ActiveRules{Serving: rs.Version(), Rules: rs.Len()}
	obj, err := h.Store.Get(c.UserContext(), routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		out.Stored, out.YAML, out.ETag = true, string(obj.Data), obj.ETag
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// ruleVersionText serves GET /admin/rules/versions/{n}: a stored version's
// file, to read before rolling back to it.
func (h *Handler) ruleVersionText(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return problem.New(http.StatusBadRequest, "invalid_rules_version", "n must be a stored version number (1, 2, ...)").WithField("n")
	}
	obj, err := h.Store.Get(c.UserContext(), rulestore.VersionKey(n), store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	if errors.Is(err, store.ErrNotFound) {
		return problem.New(http.StatusNotFound, "unknown_rules_version", "there is no rules version %d (GET /admin/rules/versions lists them)", n)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"n": n, "key": rulestore.VersionKey(n), "yaml": string(obj.Data)})
}
