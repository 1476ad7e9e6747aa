package routing

import (
	"fmt"
	"math"
	"time"
)

// Central stock modes: whether the central warehouse's stock is looked up.
const (
	// CentralUnlimited treats the central warehouse as always holding what
	// an order needs. It is the default because it is the playbook ("...
	// otherwise central"): central is the backstop that replenishes the
	// hubs, and a shop without central inventory feeds must still route.
	CentralUnlimited = "unlimited"
	// CentralInventory checks inventory/central.json like any hub; central
	// then needs fresh inventory data too.
	CentralInventory = "inventory"
)

// Config configures the routing engine. Rules files may override the
// weights and the central stock mode (see RuleSet); everything else is
// deployment policy.
type Config struct {
	// Scoring weights: a node's score is the weighted sum of its promised
	// hours, its cost (cost rules) and its hours over a soft SLA; lower wins.
	WeightLatency float64 `env:"ROUTING_WEIGHT_LATENCY" envDefault:"1" help:"routing score per promised hour (a node's max_hours)"`
	WeightCost    float64 `env:"ROUTING_WEIGHT_COST" envDefault:"1" help:"routing score per unit of a cost rule's weight"`
	WeightSLA     float64 `env:"ROUTING_WEIGHT_SLA" envDefault:"10" help:"routing score per hour a promise exceeds a soft sla rule"`
	// StaleAfter switches the badge to its softer wording: the stock figure
	// may already be wrong, so the shop should not sound certain.
	StaleAfter time.Duration `env:"ROUTING_STALE_AFTER" envDefault:"30s" help:"inventory data older than this gets the softer badge wording"`
	// SkipAfter drops a node whose data is older: a feed that stopped
	// updating must not keep selling stock that may be gone.
	SkipAfter time.Duration `env:"ROUTING_SKIP_AFTER" envDefault:"10m" help:"nodes whose inventory data is older than this are skipped"`
	// StaleSafetyStock is added to a hub's min_inventory while its data is
	// older than StaleAfter: the count may already be wrong, so the last
	// units are not promised.
	StaleSafetyStock int    `env:"ROUTING_STALE_SAFETY_STOCK" envDefault:"1" help:"units added to a hub's min_inventory while its inventory data is older than the stale age"`
	CentralStock     string `env:"ROUTING_CENTRAL_STOCK" envDefault:"unlimited" help:"central warehouse stock: unlimited (the playbook's backstop) or inventory (read inventory/central.json)"`
}

// DefaultConfig is the configuration the envDefault tags describe, for
// tests and tools that do not read the environment.
func DefaultConfig() Config {
	return Config{
		WeightLatency:    1,
		WeightCost:       1,
		WeightSLA:        10,
		StaleAfter:       30 * time.Second,
		SkipAfter:        10 * time.Minute,
		StaleSafetyStock: 1,
		CentralStock:     CentralUnlimited,
	}
}

// Validate checks the configuration; errors name the environment key.
func (c Config) Validate() error {
	for _, w := range []struct {
		key string
		v   float64
	}{
		{"ROUTING_WEIGHT_LATENCY", c.WeightLatency},
		{"ROUTING_WEIGHT_COST", c.WeightCost},
		{"ROUTING_WEIGHT_SLA", c.WeightSLA},
	} {
		if w.v < 0 || math.IsNaN(w.v) || math.IsInf(w.v, 0) {
			return fmt.Errorf("EDGESHELF_%s: must be a finite number ≥ 0, got %v", w.key, w.v)
		}
	}
	if c.StaleAfter <= 0 {
		return fmt.Errorf("EDGESHELF_ROUTING_STALE_AFTER: must be positive, got %s", c.StaleAfter)
	}
	if c.SkipAfter < c.StaleAfter {
		return fmt.Errorf("EDGESHELF_ROUTING_SKIP_AFTER: must be at least EDGESHELF_ROUTING_STALE_AFTER (%s), got %s", c.StaleAfter, c.SkipAfter)
	}
	if c.StaleSafetyStock < 0 || c.StaleSafetyStock > maxQty {
		return fmt.Errorf("EDGESHELF_ROUTING_STALE_SAFETY_STOCK: must be within 0..%d, got %d", maxQty, c.StaleSafetyStock)
	}
	if c.CentralStock != CentralUnlimited && c.CentralStock != CentralInventory {
		return fmt.Errorf("EDGESHELF_ROUTING_CENTRAL_STOCK: %q is not %s or %s", c.CentralStock, CentralUnlimited, CentralInventory)
	}
	return nil
}
