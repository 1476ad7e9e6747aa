package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// StoreState is the store's health as this replica sees it: the core
// tracks it, admin only shows it.
type StoreState struct {
	Degraded bool `json:"degraded"`
	// Since is when the current state began: the first failure of the
	// streak that degraded it, or the recovery.
	Since time.Time `json:"since,omitzero"`
	// LastSuccess is the last store call that answered (a 404 answers).
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError is the last failure's text. It may name the store's
	// address or carry SDK text: fine for an admin, never in a public body.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// Replica is what only the core knows about this replica; it fills it on
// each GET /admin/status.
type Replica struct {
	Version            string     `json:"version"`
	Draining           bool       `json:"draining"`
	RenderWorkersAlive bool       `json:"render_workers_alive"`
	Store              StoreState `json:"store"`
}

// CatalogStatus is the catalog part of GET /admin/status.
type CatalogStatus struct {
	Loaded bool `json:"loaded"`
	SKUs   int  `json:"skus"`
	// ReloadError is the last failed reload: the last good catalog keeps
	// serving meanwhile.
	ReloadError string `json:"reload_error,omitempty"`
}

// Status is GET /admin/status.
type Status struct {
	Replica
	// Ready is what /readyz answers; a degraded store does not change it.
	Ready   bool          `json:"ready"`
	Catalog CatalogStatus `json:"catalog"`
}

// status serves GET /admin/status: readiness and the degraded states an
// operator cannot see from /readyz, with their detail.
func (h *Handler) status(c *fiber.Ctx) error {
	var out Status
	if h.Replica != nil {
		out.Replica = h.Replica()
	}
	if cat := h.Catalog.Current(); cat != nil {
		out.Catalog.Loaded, out.Catalog.SKUs = true, len(cat.SKUs)
	}
	if err := h.Catalog.LastError(); err != nil {
		out.Catalog.ReloadError = err.Error()
	}
	out.Ready = out.Catalog.Loaded && !out.Draining && out.RenderWorkersAlive
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
