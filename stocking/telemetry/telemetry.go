// Package telemetry measures how the promise held: the on-time delivery
// rate (delivered within the promised hours, of the orders with a
// delivery posted) and the return rate (returned orders of all orders) per
// hub, region and ISO week.
//
// Orders come from the routing decision log (hub = the node that shipped)
// and from imported order exports (hub unknown: shown as "(imported)").
// Deliveries are the decision log's delivery records (POST
// /admin/deliveries). Returns are matched to orders by id: the returns
// posted to POST /admin/returns (by decision id) and the refunded orders
// of order imports. The service's POST /returns/route answers where an
// item goes back but names no order, so it is not counted as a return.
package telemetry

import (
	"sort"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
)

// ImportedHub names the hub of imported orders, which the export does not
// say.
const ImportedHub = "(imported)"

// Input is what the rates are computed from.
type Input struct {
	Decisions  []decisionlog.Record
	Deliveries []decisionlog.Delivery
	Imported   []stocking.OrderLine
	Returns    []orderimport.Return
	// From and To bound the orders counted by order time, [From, To);
	// zero means unbounded.
	From, To time.Time
}

// Row is one group's counts and rates. A rate is nil when nothing was
// there to measure (no delivery posted, no order).
type Row struct {
	Hub        string   `json:"hub,omitempty"`
	Region     string   `json:"region,omitempty"`
	Week       string   `json:"week,omitempty"`
	Orders     int      `json:"orders"`
	Delivered  int      `json:"delivered"`
	OnTime     int      `json:"on_time"`
	Returned   int      `json:"returned"`
	OnTimeRate *float64 `json:"on_time_rate"`
	ReturnRate *float64 `json:"return_rate"`
}

// Report is every group: per hub × region × week, and totals per hub and
// per region over the window.
type Report struct {
	Weeks    []Row `json:"weeks"`
	ByHub    []Row `json:"by_hub"`
	ByRegion []Row `json:"by_region"`
}

// orderFacts is one order as the rates see it.
type orderFacts struct {
	hub, region string
	week        time.Time
	delivered   bool
	onTime      bool
	returned    bool
}

// Compute counts every order in the window. Deliveries and returns of
// orders outside it are ignored; a second delivery of an order counts
// once (the first).
func Compute(in Input) *Report {
	orders := collect(in)
	weeks := map[[3]string]*Row{}
	hubs := map[string]*Row{}
	regions := map[string]*Row{}
	for _, o := range orders {
		week := demand.ISOWeek(o.week)
		add(group(weeks, [3]string{o.hub, o.region, week}, Row{Hub: o.hub, Region: o.region, Week: week}), o)
		add(group(hubs, o.hub, Row{Hub: o.hub}), o)
		add(group(regions, o.region, Row{Region: o.region}), o)
	}
	return &Report{Weeks: finish(weeks), ByHub: finish(hubs), ByRegion: finish(regions)}
}

func collect(in Input) map[string]*orderFacts {
	inWindow := func(t time.Time) bool {
		return (in.From.IsZero() || !t.Before(in.From)) && (in.To.IsZero() || t.Before(in.To))
	}
	orders := map[string]*orderFacts{}
	decided := map[string]decisionlog.Record{}
	for _, r := range in.Decisions {
		if r.Source != decisionlog.SourceOrder || !inWindow(r.DecidedAt) {
			continue
		}
		decided[r.DecisionID] = r
		orders[r.DecisionID] = &orderFacts{hub: r.Node, region: r.Region, week: demand.WeekStart(r.DecidedAt)}
	}
	for _, l := range in.Imported {
		if _, ok := orders[l.OrderID]; ok || !inWindow(l.Time) {
			continue
		}
		orders[l.OrderID] = &orderFacts{hub: ImportedHub, region: l.Region, week: demand.WeekStart(l.Time)}
	}
	firstDelivery := map[string]time.Time{}
	for _, d := range in.Deliveries {
		if t, ok := firstDelivery[d.DecisionID]; !ok || d.DeliveredAt.Before(t) {
			firstDelivery[d.DecisionID] = d.DeliveredAt
		}
	}
	for id, at := range firstDelivery {
		r, ok := decided[id]
		if !ok {
			continue
		}
		o := orders[id]
		o.delivered = true
		promised := r.DecidedAt.Add(time.Duration(r.PromiseMaxHours) * time.Hour)
		o.onTime = r.PromiseMaxHours > 0 && !at.After(promised)
	}
	for _, ret := range in.Returns {
		if o, ok := orders[ret.OrderID]; ok {
			o.returned = true
		}
	}
	return orders
}

func group[K comparable](m map[K]*Row, k K, zero Row) *Row {
	r, ok := m[k]
	if !ok {
		r = &zero
		m[k] = r
	}
	return r
}

func add(r *Row, o *orderFacts) {
	r.Orders++
	if o.delivered {
		r.Delivered++
	}
	if o.onTime {
		r.OnTime++
	}
	if o.returned {
		r.Returned++
	}
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// finish computes the rates and sorts by hub, region, week.
func finish[K comparable](m map[K]*Row) []Row {
	out := make([]Row, 0, len(m))
	for _, r := range m {
		r.OnTimeRate = ratio(r.OnTime, r.Delivered)
		r.ReturnRate = ratio(r.Returned, r.Orders)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Hub != b.Hub {
			return a.Hub < b.Hub
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Week < b.Week
	})
	return out
}
