package routing

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync/atomic"
	"time"
)

// Decision is the answer for one order.
//
// Slices and pointers inside (carriers, fallbacks) may be shared with the
// RuleSet that produced the decision: treat a Decision as read-only.
type Decision struct {
	// DecisionID is unique per decision and sorts by time (ULID layout: 48
	// bits of milliseconds from the engine's clock, then randomness and a
	// counter), so logs and dry runs can be correlated.
	DecisionID   string    `json:"decision_id"`
	RulesVersion string    `json:"rules_version"`
	DecidedAt    time.Time `json:"decided_at"`
	// Locale is the catalog locale the request's tag resolved to.
	Locale string `json:"locale"`
	// Region is the destination's region (the country when no region lists it).
	Region string `json:"destination_region"`
	// Node ships the order; for a split order, the first shipment's node.
	Node Node `json:"node"`
	// Promise is the node's promise; for a split order, the whole order's:
	// the latest arrival of any shipment and the earliest cut-off.
	Promise Promise `json:"promise"`
	Badge   string  `json:"badge"`
	// BadgeStale is true when the badge uses the softer wording because the
	// inventory data behind the decision is older than Config.StaleAfter.
	BadgeStale bool `json:"badge_stale"`
	// InventoryAgeS is the age in whole seconds of the oldest inventory
	// figure the decision relied on (0 for a central warehouse with
	// unlimited stock).
	InventoryAgeS int64    `json:"inventory_age_s"`
	Carriers      Carriers `json:"carriers"`
	Score         float64  `json:"score"`
	// DistanceKM is from the node to the destination, -1 when the
	// destination could not be placed.
	DistanceKM int `json:"distance_km"`
	// Shipments is set only when the order is split across nodes.
	Shipments []Shipment `json:"shipments,omitempty"`
	// Alternatives is every other node: eligible ones with their score in
	// rank order, then rejected ones with the rule and reason.
	Alternatives []Alternative `json:"alternatives"`
	// Warnings are rule conditions that failed at run time; such a rule is
	// skipped, the decision still stands.
	Warnings []string `json:"warnings,omitempty"`
}

// Shipment is one parcel of a split order.
type Shipment struct {
	Node          Node     `json:"node"`
	Lines         []Line   `json:"lines"`
	Promise       Promise  `json:"promise"`
	Carriers      Carriers `json:"carriers"`
	InventoryAgeS int64    `json:"inventory_age_s"` // whole seconds
	BadgeStale    bool     `json:"badge_stale"`
	DistanceKM    int      `json:"distance_km"`
}

// Alternative is a node that was not chosen: either eligible with its score
// (Reason empty or partial_stock) or rejected by Rule for Reason.
type Alternative struct {
	// Node points into the RuleSet (every decision lists every node, and
	// copying them dominated the cost of a decision): read-only.
	Node       *Node    `json:"node"`
	Score      *float64 `json:"score,omitempty"`
	MaxHours   int      `json:"max_hours,omitempty"`
	DistanceKM int      `json:"distance_km"`
	// Rule is the rule that rejected the node (its name, or "rules[3]
	// exclude"); empty for built-in checks (stock, carriers, data age).
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Reasons a node is not chosen; stable codes for clients and dashboards.
const (
	ReasonExcluded       = "excluded"            // an exclude rule
	ReasonOutsideRegions = "outside_regions"     // a regions rule
	ReasonTooFar         = "too_far"             // a max_distance_km rule
	ReasonNoCarrier      = "no_carrier"          // no carrier of the node serves the destination
	ReasonSLA            = "sla"                 // promise longer than a hard sla rule
	ReasonNoInventory    = "no_inventory_data"   // no snapshot for the node
	ReasonStaleInventory = "inventory_too_old"   // snapshot older than Config.SkipAfter
	ReasonOutOfStock     = "out_of_stock"        // holds fewer units than ordered
	ReasonBelowMin       = "below_min_inventory" // holds the units but fewer than min_inventory
	ReasonPartial        = "partial_stock"       // can ship some lines only
)

// NoNodeError is returned when no node (or allowed split) can ship an
// order; the HTTP layer maps it to 409 no_fulfilment_node.
type NoNodeError struct {
	RulesVersion string
	// Candidates explains every node, in id order.
	Candidates []Alternative
}

func (e *NoNodeError) Error() string {
	var b strings.Builder
	b.WriteString("routing: no fulfilment node can ship the order")
	for i, c := range e.Candidates {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(c.Node.ID)
		b.WriteString(" ")
		b.WriteString(c.Reason)
		if c.Detail != "" {
			b.WriteString(" (")
			b.WriteString(c.Detail)
			b.WriteString(")")
		}
	}
	return b.String()
}

// Code is the stable machine-readable code the HTTP layer reports.
func (e *NoNodeError) Code() string { return "no_fulfilment_node" }

// idSource makes ULID-shaped decision ids: 48 bits of Unix milliseconds,
// 32 random bits drawn once per engine (replicas do not collide), 48 bits
// of a counter (ids of one engine never collide, even within a millisecond
// or with a frozen test clock).
type idSource struct {
	seed    uint32
	counter atomic.Uint64
}

func newIDSource() *idSource {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &idSource{seed: binary.BigEndian.Uint32(b[:])}
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func (s *idSource) next(now time.Time) string {
	var raw [16]byte
	ms := uint64(max(now.UnixMilli(), 0))
	binary.BigEndian.PutUint64(raw[0:8], ms<<16)
	binary.BigEndian.PutUint32(raw[6:10], s.seed)
	c := s.counter.Add(1)
	binary.BigEndian.PutUint16(raw[10:12], uint16(c>>32))
	binary.BigEndian.PutUint32(raw[12:16], uint32(c))
	// 128 bits as 26 base32 digits, most significant first (2 pad bits).
	hi := binary.BigEndian.Uint64(raw[0:8])
	lo := binary.BigEndian.Uint64(raw[8:16])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
