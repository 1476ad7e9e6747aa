package fromstore

import (
	"fmt"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// Config is the stocking report's settings: the forecasting and planning
// ones (stocking.Config) and what the report reads from the store and the
// catalog's hubs.
type Config struct {
	Stocking      stocking.Config
	HistoryWeeks  int     `json:"history_weeks" env:"STOCKING_HISTORY_WEEKS" envDefault:"52" help:"complete weeks of order history (decision log and order imports) the stocking report reads (?weeks= overrides)"`
	MaxSKUsPerHub int     `json:"max_skus_per_hub" env:"STOCKING_MAX_SKUS_PER_HUB" envDefault:"20" help:"most SKUs a hub's stocking plan may hold"`
	ShelfSlots    int     `json:"shelf_slots" env:"STOCKING_SHELF_SLOTS" envDefault:"0" help:"units a hub's shelves hold (the sum of its target stock); 0 is unbounded"`
	LeadTimeWeeks float64 `json:"lead_time_weeks" env:"STOCKING_LEAD_TIME_WEEKS" envDefault:"1" help:"weeks from ordering a hub's restock to its arrival"`
	EventsKey     string  `json:"events_key" env:"STOCKING_EVENTS_KEY" envDefault:"stocking/events.csv" help:"store key of the optional events file (CSV region,from,to,uplift[,name]) whose uplifts the forecasts apply"`
}

// MaxHistoryWeeks bounds the history read (the forecasts use up to 156).
const MaxHistoryWeeks = 156

// DefaultConfig is the configuration the envDefault tags describe.
func DefaultConfig() Config {
	return Config{Stocking: stocking.DefaultConfig(), HistoryWeeks: 52, MaxSKUsPerHub: 20, LeadTimeWeeks: 1, EventsKey: "stocking/events.csv"}
}

// Validate checks the configuration; errors name the environment key.
func (c Config) Validate() error {
	if err := c.Stocking.Validate(); err != nil {
		return err
	}
	switch {
	case c.HistoryWeeks < 4 || c.HistoryWeeks > MaxHistoryWeeks:
		return fmt.Errorf("EDGESHELF_STOCKING_HISTORY_WEEKS: must be within 4..%d, got %d", MaxHistoryWeeks, c.HistoryWeeks)
	case c.MaxSKUsPerHub < 1 || c.MaxSKUsPerHub > 10_000:
		return fmt.Errorf("EDGESHELF_STOCKING_MAX_SKUS_PER_HUB: must be within 1..10000, got %d", c.MaxSKUsPerHub)
	case c.ShelfSlots < 0:
		return fmt.Errorf("EDGESHELF_STOCKING_SHELF_SLOTS: must be ≥ 0, got %d", c.ShelfSlots)
	case !(c.LeadTimeWeeks >= 0 && c.LeadTimeWeeks <= 26):
		return fmt.Errorf("EDGESHELF_STOCKING_LEAD_TIME_WEEKS: must be within 0..26, got %v", c.LeadTimeWeeks)
	case c.EventsKey == "":
		return fmt.Errorf("EDGESHELF_STOCKING_EVENTS_KEY: must name a store key")
	}
	return nil
}
