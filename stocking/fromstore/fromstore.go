// Package fromstore assembles the stocking report the admin API and
// `edgeshelf report stocking` serve: order history from the routing
// decision log and the order imports, the catalog's hubs with their
// capacities (settings) and current stock (inventory snapshots), the
// optional events file, the engine's promise hours, and next to the plan
// the delivery telemetry (on-time and return rates).
package fromstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/fromlog"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/telemetry"
	"github.com/edgeshelf/edgeshelf/store"
)

// Report is the stocking plan with the delivery telemetry of the same
// history, and what it was built from.
type Report struct {
	Stocking *stocking.Report  `json:"stocking"`
	Delivery *telemetry.Report `json:"delivery"`
	Sources  Sources           `json:"sources"`
}

// Sources says what the report read.
type Sources struct {
	HistoryWeeks    int    `json:"history_weeks"`
	LoggedOrders    int    `json:"logged_order_lines"`
	ImportedLines   int    `json:"imported_order_lines"`
	Imports         int    `json:"imports"`
	Returns         int    `json:"returns"`
	Deliveries      int    `json:"deliveries"`
	EventsKey       string `json:"events_key"`
	Events          int    `json:"events"`
	UnreadableLines int    `json:"unreadable_log_lines"`
}

// Catalog is what the report needs of the running service: the current
// catalog and rules (the engine's promise model).
type Catalog struct {
	Catalog *catalog.Catalog
	Rules   *routing.RuleSet
}

// Load builds the report over the weeks complete weeks before now's week.
func Load(ctx context.Context, blob store.Blob, cfg Config, cat Catalog, weeks int, now time.Time) (*Report, error) {
	cfg.HistoryWeeks = weeks
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	to := demand.WeekStart(now)
	from := to.AddDate(0, 0, -7*weeks)
	// Through now: the plan uses complete weeks only (stocking.Build drops
	// the current one), the delivery rates show this week so far too.
	recs, badRecs, err := decisionlog.ReadDecisions(ctx, blob, from, now)
	if err != nil {
		return nil, fmt.Errorf("reading the decision log: %w", err)
	}
	ds, badDs, err := decisionlog.ReadDeliveries(ctx, blob, from, now)
	if err != nil {
		return nil, fmt.Errorf("reading the deliveries: %w", err)
	}
	imported, err := orderimport.Load(ctx, blob)
	if err != nil {
		return nil, err
	}
	posted, badRets, err := ReadReturns(ctx, blob, from, now)
	if err != nil {
		return nil, err
	}
	events, err := loadEvents(ctx, blob, cfg.EventsKey)
	if err != nil {
		return nil, err
	}
	hubs, err := Hubs(ctx, blob, cfg, cat.Catalog)
	if err != nil {
		return nil, err
	}
	logged := fromlog.Lines(recs)
	lines := append(append(make([]stocking.OrderLine, 0, len(logged)+len(imported.Lines)), logged...), imported.Lines...)
	rep, err := stocking.Build(cfg.Stocking, stocking.Input{Lines: lines, Events: events, Hubs: hubs, Now: now}, stocking.RoutingPromise(cat.Rules))
	if err != nil {
		return nil, err
	}
	delivery := telemetry.Compute(telemetry.Input{
		Decisions: recs, Deliveries: ds, Imported: imported.Lines, Returns: append(posted, imported.Returns...), From: from,
	})
	return &Report{Stocking: rep, Delivery: delivery, Sources: Sources{
		HistoryWeeks: weeks, LoggedOrders: len(logged), ImportedLines: len(imported.Lines), Imports: imported.Imports,
		Returns: len(imported.Returns) + len(posted), Deliveries: len(ds), EventsKey: cfg.EventsKey, Events: len(events),
		UnreadableLines: badRecs + badDs + badRets,
	}}, nil
}

// maxEventsBytes bounds the events file.
const maxEventsBytes = 1 << 20

// loadEvents reads the optional events file; none is no events.
func loadEvents(ctx context.Context, blob store.Blob, key string) ([]stocking.Event, error) {
	obj, err := blob.Get(ctx, key, store.GetOptions{MaxBytes: maxEventsBytes})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", key, err)
	}
	evs, err := stocking.ParseEvents(bytesReader(obj.Data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return evs, nil
}

// Hubs are the catalog's hubs (not central warehouses) with the configured
// capacity and, as already stocked, the SKUs their inventory snapshot
// (inventory/{hub}.json) holds; a hub without one is a new hub.
func Hubs(ctx context.Context, blob store.Blob, cfg Config, cat *catalog.Catalog) ([]stocking.HubCapacity, error) {
	var out []stocking.HubCapacity
	for _, h := range cat.Hubs {
		if h.Kind == "central" {
			continue
		}
		stocked, err := stockedSKUs(ctx, blob, h.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, stocking.HubCapacity{
			Hub: h.ID, Region: h.Region, MaxSKUs: cfg.MaxSKUsPerHub, ShelfSlots: cfg.ShelfSlots,
			LeadTimeWeeks: cfg.LeadTimeWeeks, Stocked: stocked,
		})
	}
	return out, nil
}

func stockedSKUs(ctx context.Context, blob store.Blob, hub string) ([]string, error) {
	obj, err := blob.Get(ctx, "inventory/"+hub+".json", store.GetOptions{MaxBytes: 16 << 20})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading hub %s's inventory: %w", hub, err)
	}
	snap, err := routing.ParseSnapshot(obj.Data)
	if err != nil {
		return nil, fmt.Errorf("hub %s's inventory: %w", hub, err)
	}
	var skus []string
	for sku, qty := range snap.Items {
		if qty > 0 {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	return skus, nil
}
