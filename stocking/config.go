package stocking

import "fmt"

// Config holds the stocking settings; every one is a setting.
type Config struct {
	ServiceLevel    float64 `json:"service_level" env:"STOCKING_SERVICE_LEVEL" envDefault:"0.95" help:"probability (0.5–0.999) that a hub's stock covers demand over the lead time; sets the safety stock"`
	HorizonWeeks    int     `json:"horizon_weeks" env:"STOCKING_HORIZON_WEEKS" envDefault:"8" help:"weeks forecast ahead of the last complete week"`
	BacktestWeeks   int     `json:"backtest_weeks" env:"STOCKING_BACKTEST_WEEKS" envDefault:"26" help:"last weeks of history the rolling-origin backtest scores each method on (one-step forecasts); its residuals, over up to twice as many weeks, set the prediction intervals"`
	Interval        float64 `json:"interval" env:"STOCKING_INTERVAL" envDefault:"0.8" help:"coverage (0–1) of the forecast's prediction interval"`
	SeasonWeeks     int     `json:"season_weeks" env:"STOCKING_SEASON_WEEKS" envDefault:"52" help:"season length in weeks; seasonal methods run only with two full seasons of history"`
	StarterSKUs     int     `json:"starter_skus" env:"STOCKING_STARTER_SKUS" envDefault:"5" help:"fast sellers recommended to move first into a new hub"`
	ProjectionWeeks int     `json:"projection_weeks" env:"STOCKING_PROJECTION_WEEKS" envDefault:"12" help:"last weeks of orders a plan is replayed on to project its in-region share and delivery hours"`
	ReviewWeeks     float64 `json:"review_weeks" env:"STOCKING_REVIEW_WEEKS" envDefault:"1" help:"weeks between a hub's restocking shipments; target stock covers lead time plus this (0: restock continuously, target = reorder point)"`
}

// DefaultConfig is the configuration the envDefault tags describe.
func DefaultConfig() Config {
	return Config{ServiceLevel: 0.95, HorizonWeeks: 8, BacktestWeeks: 26, ProjectionWeeks: 12, Interval: 0.8, SeasonWeeks: 52, StarterSKUs: 5, ReviewWeeks: 1}
}

// Validate checks the configuration; errors name the environment key.
func (c Config) Validate() error {
	switch {
	case !(c.ServiceLevel >= 0.5 && c.ServiceLevel <= 0.999):
		return fmt.Errorf("EDGESHELF_STOCKING_SERVICE_LEVEL: must be within [0.5, 0.999], got %v", c.ServiceLevel)
	case c.HorizonWeeks < 1 || c.HorizonWeeks > 52:
		return fmt.Errorf("EDGESHELF_STOCKING_HORIZON_WEEKS: must be within 1..52, got %d", c.HorizonWeeks)
	case c.BacktestWeeks < 2 || c.BacktestWeeks > 52:
		return fmt.Errorf("EDGESHELF_STOCKING_BACKTEST_WEEKS: must be within 2..52, got %d", c.BacktestWeeks)
	case !(c.Interval > 0 && c.Interval < 1):
		return fmt.Errorf("EDGESHELF_STOCKING_INTERVAL: must be within (0, 1), got %v", c.Interval)
	case c.SeasonWeeks < 2 || c.SeasonWeeks > 104:
		return fmt.Errorf("EDGESHELF_STOCKING_SEASON_WEEKS: must be within 2..104, got %d", c.SeasonWeeks)
	case c.StarterSKUs < 1 || c.StarterSKUs > 100:
		return fmt.Errorf("EDGESHELF_STOCKING_STARTER_SKUS: must be within 1..100, got %d", c.StarterSKUs)
	case c.ProjectionWeeks < 1 || c.ProjectionWeeks > 52:
		return fmt.Errorf("EDGESHELF_STOCKING_PROJECTION_WEEKS: must be within 1..52, got %d", c.ProjectionWeeks)
	case !(c.ReviewWeeks >= 0 && c.ReviewWeeks <= 26):
		return fmt.Errorf("EDGESHELF_STOCKING_REVIEW_WEEKS: must be within 0..26, got %v", c.ReviewWeeks)
	}
	return nil
}
