// Package demand turns order lines into weekly demand series per region ×
// SKU: ISO weeks (Monday 00:00 UTC), zero-filled, so a week without orders
// reads as 0 and not as a gap; and groups lines into orders for replays.
package demand

import (
	"fmt"
	"sort"
	"time"
)

// OrderLine is one SKU of one order. Region is the routing engine's region
// of the destination (catalog regions). Refund rows are either left out by
// the importer or carry a negative Qty, which nets the week's demand.
type OrderLine struct {
	OrderID string    `json:"order_id"`
	Time    time.Time `json:"time"`
	SKU     string    `json:"sku"`
	Qty     int       `json:"qty"`
	Country string    `json:"country"`
	Region  string    `json:"region"`
}

// Series is the weekly demand of one SKU in one region: Units[i] is the
// week starting Start + 7·i days.
type Series struct {
	Region string    `json:"region"`
	SKU    string    `json:"sku"`
	Start  time.Time `json:"start"`
	Units  []float64 `json:"units"`
}

// Week is one week's length; weeks are counted in UTC, where every day has
// 24 hours.
const Week = 7 * 24 * time.Hour

// WeekStart is the Monday 00:00 UTC of t's ISO week.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7 // Monday = 0
	return day.AddDate(0, 0, -offset)
}

// ISOWeek names t's ISO week: 2026-W47.
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// WeeksBetween is the number of whole weeks from one week start to another.
func WeeksBetween(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	return int(to.Sub(from) / Week)
}

// Aggregate sums lines into weekly series over [from, to), both rounded
// down to their week starts, one per region × SKU seen in the window,
// sorted by region then SKU. Lines outside the window are ignored. A week
// whose refunds outweigh its sales counts 0: demand is never negative.
func Aggregate(lines []OrderLine, from, to time.Time) []Series {
	from, to = WeekStart(from), WeekStart(to)
	weeks := WeeksBetween(from, to)
	if weeks == 0 {
		return nil
	}
	type key struct{ region, sku string }
	sums := map[key][]float64{}
	for _, l := range lines {
		if l.Time.Before(from) || !l.Time.Before(to) {
			continue
		}
		k := key{l.Region, l.SKU}
		u := sums[k]
		if u == nil {
			u = make([]float64, weeks)
			sums[k] = u
		}
		u[WeeksBetween(from, WeekStart(l.Time))] += float64(l.Qty)
	}
	out := make([]Series, 0, len(sums))
	for k, u := range sums {
		for i := range u {
			u[i] = max(u[i], 0)
		}
		out = append(out, Series{Region: k.region, SKU: k.sku, Start: from, Units: u})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].SKU < out[j].SKU
	})
	return out
}

// Order is an order's lines grouped: what a replay ships or not as one.
type Order struct {
	ID      string
	Time    time.Time
	Country string
	Region  string
	// Units by SKU, netted over the order's lines; SKUs with no positive
	// quantity left (fully refunded) are dropped.
	Units map[string]int
}

// Orders groups lines by OrderID (the earliest line's time, country and
// region stand for the order, whatever the lines' order), drops orders with nothing left to ship and
// sorts them by time, then ID, so a replay is deterministic.
func Orders(lines []OrderLine) []Order {
	byID := map[string]*Order{}
	for _, l := range lines {
		o := byID[l.OrderID]
		if o == nil {
			o = &Order{ID: l.OrderID, Time: l.Time, Country: l.Country, Region: l.Region, Units: map[string]int{}}
			byID[l.OrderID] = o
		}
		if earlier(l, o) {
			o.Time, o.Country, o.Region = l.Time, l.Country, l.Region
		}
		o.Units[l.SKU] += l.Qty
	}
	out := make([]Order, 0, len(byID))
	for _, o := range byID {
		for sku, q := range o.Units {
			if q <= 0 {
				delete(o.Units, sku)
			}
		}
		if len(o.Units) > 0 {
			out = append(out, *o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// earlier reports whether a line should stand for the order instead of
// what does now: it is earlier, or as early and sorts first.
func earlier(l OrderLine, o *Order) bool {
	if !l.Time.Equal(o.Time) {
		return l.Time.Before(o.Time)
	}
	if l.Country != o.Country {
		return l.Country < o.Country
	}
	return l.Region < o.Region
}
