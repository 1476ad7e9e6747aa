// Package stocking turns order history into stocking decisions: weekly
// demand per region × SKU (stocking/demand), a forecast per series chosen
// by backtest (stocking/forecast), known spikes (stocking/events) and a
// plan per hub under its capacity (stocking/plan). Pure Go: no HTTP, no
// vips. Build is deterministic: the same input gives the same report.
package stocking

import (
	"io"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/events"
	"github.com/edgeshelf/edgeshelf/stocking/plan"
)

// OrderLine is one SKU of one order (see demand.OrderLine).
type OrderLine = demand.OrderLine

// Event is a known demand spike (see events.Event).
type Event = events.Event

// PromiseModel gives promised delivery hours (see plan.PromiseModel).
type PromiseModel = plan.PromiseModel

// ParseEvents reads an events file (CSV: region,from,to,uplift[,name]).
func ParseEvents(r io.Reader) ([]Event, error) { return events.Parse(r) }

// HubCapacity is what a hub can hold and how long restocking it takes.
type HubCapacity struct {
	Hub    string `json:"hub"`
	Region string `json:"region"` // the region the hub serves in-region
	// MaxSKUs bounds how many different SKUs the hub holds (0: no bound).
	MaxSKUs int `json:"max_skus"`
	// ShelfSlots bounds the units on its shelves, summed over the target
	// stock of every SKU (0: no bound).
	ShelfSlots int `json:"shelf_slots"`
	// LeadTimeWeeks is the replenishment lead time from central.
	LeadTimeWeeks float64 `json:"lead_time_weeks"`
	// Stocked are the SKUs the hub already holds; empty for a new hub.
	Stocked []string `json:"stocked,omitempty"`
}

// Input is everything Build reads. Now is the report's clock: history is
// read up to the start of Now's week (complete weeks only).
type Input struct {
	Lines  []OrderLine   `json:"lines"`
	Events []Event       `json:"events,omitempty"`
	Hubs   []HubCapacity `json:"hubs"`
	Now    time.Time     `json:"now"`
}

// WeekValue is one week's demand.
type WeekValue struct {
	Week  string    `json:"week"` // ISO week, 2026-W47
	Start time.Time `json:"start"`
	Units float64   `json:"units"`
}

// MethodScore is one method's backtest MASE on a series.
type MethodScore struct {
	Method string  `json:"method"`
	MASE   float64 `json:"mase"`
}

// ForecastPoint is one future week: the mean and the prediction interval.
type ForecastPoint struct {
	Week  string    `json:"week"`
	Start time.Time `json:"start"`
	Mean  float64   `json:"mean"`
	Lo    float64   `json:"lo"`
	Hi    float64   `json:"hi"`
}

// SeriesForecast is one region × SKU: its history, the method the
// backtest chose, the backtest's MASE against the seasonal-naive baseline,
// and the forecast with its band.
type SeriesForecast struct {
	Region       string  `json:"region"`
	SKU          string  `json:"sku"`
	Method       string  `json:"method"`
	MASE         float64 `json:"mase"`
	BaselineMASE float64 `json:"baseline_mase"`
	// Scores are every competing method's backtest MASE: why this method.
	Scores []MethodScore `json:"scores"`
	// Sigma is the standard deviation of the method's one-step errors
	// (units per week, known events taken out): what safety stock covers.
	Sigma    float64         `json:"sigma"`
	History  []WeekValue     `json:"history"`
	Forecast []ForecastPoint `json:"forecast"`
}

// PlanItem is one SKU a hub should hold. Units are whole units (rounded up).
type PlanItem struct {
	SKU          string  `json:"sku"`
	WeeklyDemand float64 `json:"weekly_demand"` // forecast mean per week over the horizon
	WeeklySigma  float64 `json:"weekly_sigma"`  // forecast error σ per week
	SafetyStock  int     `json:"safety_stock"`
	ReorderPoint int     `json:"reorder_point"`
	TargetStock  int     `json:"target_stock"`
	// HoursSaved is delivery hours saved per week by shipping this SKU's
	// orders from the hub instead of the fallback node.
	HoursSaved float64 `json:"hours_saved"`
}

// Move is the "move these N SKUs" recommendation: SKUs the plan holds that
// the hub does not yet stock, best first; for a new hub at most
// Config.StarterSKUs fast sellers.
type Move struct {
	SKUs  []string `json:"skus"`
	Units []int    `json:"units"` // target stock of each
}

// HubPlan is one hub's plan and what it is projected to do for its region.
type HubPlan struct {
	Hub           string     `json:"hub"`
	Region        string     `json:"region"`
	MaxSKUs       int        `json:"max_skus"`
	ShelfSlots    int        `json:"shelf_slots"`
	SlotsUsed     int        `json:"slots_used"`
	LeadTimeWeeks float64    `json:"lead_time_weeks"`
	Items         []PlanItem `json:"items"`
	// InRegionShare is the projected share (0–1) of the region's orders
	// the hub ships (it holds every unit of the order when it comes),
	// replaying the last Config.ProjectionWeeks weeks of orders against
	// the plan's stock, reorders and lead time.
	InRegionShare float64 `json:"in_region_share"`
	// MeanHoursBefore/After are the region's mean promised delivery hours
	// per order with the SKUs the hub stocks today (at the plan's stock
	// levels; none for a new hub) and with the plan, replayed on the same
	// orders; HoursSavedPerWeek is the difference in total hours a week.
	MeanHoursBefore   float64 `json:"mean_hours_before"`
	MeanHoursAfter    float64 `json:"mean_hours_after"`
	HoursSavedPerWeek float64 `json:"hours_saved_per_week"`
	Move              Move    `json:"move"`
}

// Report is Build's result.
type Report struct {
	Generated time.Time        `json:"generated"`
	From      time.Time        `json:"from"` // first week of history
	To        time.Time        `json:"to"`   // end of history (exclusive): Now's week start
	Config    Config           `json:"config"`
	Series    []SeriesForecast `json:"series"`
	Plans     []HubPlan        `json:"plans"`
	Notes     []string         `json:"notes,omitempty"`
}
