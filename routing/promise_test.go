package routing

import (
	"context"
	"testing"
	"time"
)

// TestPromise pins the calendar: cut-offs, weekends, hub holidays, DST and
// the buyer's time zone. Europe/Warsaw goes to summer time on Sunday
// 2026-03-29 and back on Sunday 2026-10-25; New York changes on March 8
// and November 1, so for three weeks a year the two are an hour "closer".
func TestPromise(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	preferCentral := "rules:\n  - {kind: prefer, hubs: [central]}\n"
	tests := []struct {
		name     string
		now      time.Time
		locale   string
		country  string
		rules    string
		node     string
		orderBy  string // RFC 3339 in the buyer's time zone
		shipsOn  string
		earliest string
		latest   string
		hours    [2]int
	}{
		{
			name: "13:59 in Warsaw makes today's 14:00 cut-off",
			now:  warsaw(2026, 3, 25, 13, 59), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-25T14:00:00+01:00", shipsOn: "2026-03-25", earliest: "2026-03-26", latest: "2026-03-27", hours: [2]int{24, 48},
		},
		{
			name: "14:01 in Warsaw waits for tomorrow",
			now:  warsaw(2026, 3, 25, 14, 1), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-26T14:00:00+01:00", shipsOn: "2026-03-26", earliest: "2026-03-27", latest: "2026-03-28", hours: [2]int{24, 48},
		},
		{
			name: "14:00:00 sharp is already too late",
			now:  warsaw(2026, 3, 25, 14, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-26T14:00:00+01:00", shipsOn: "2026-03-26", earliest: "2026-03-27", latest: "2026-03-28", hours: [2]int{24, 48},
		},
		{
			name: "13:59 in Warsaw, the buyer's cut-off is in New York time",
			now:  warsaw(2026, 3, 25, 13, 59), locale: "en-US", country: "PL", node: "eu-waw",
			orderBy: "2026-03-25T09:00:00-04:00", shipsOn: "2026-03-25", earliest: "2026-03-26", latest: "2026-03-27", hours: [2]int{24, 48},
		},
		{
			name: "13:59 in Warsaw, buyer in Tokyo",
			now:  warsaw(2026, 3, 25, 13, 59), locale: "ja-JP", country: "PL", node: "eu-waw",
			orderBy: "2026-03-25T22:00:00+09:00", shipsOn: "2026-03-25", earliest: "2026-03-26", latest: "2026-03-27", hours: [2]int{24, 48},
		},
		{
			name: "Friday afternoon waits for Monday, which is in summer time",
			now:  warsaw(2026, 3, 27, 15, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-30T14:00:00+02:00", shipsOn: "2026-03-30", earliest: "2026-03-31", latest: "2026-04-01", hours: [2]int{24, 48},
		},
		{
			name: "Friday afternoon, New York buyer: the cut-off moved an hour earlier for them",
			now:  warsaw(2026, 3, 27, 15, 0), locale: "en-US", country: "PL", node: "eu-waw",
			orderBy: "2026-03-30T08:00:00-04:00", shipsOn: "2026-03-30", earliest: "2026-03-31", latest: "2026-04-01", hours: [2]int{24, 48},
		},
		{
			name: "Saturday morning",
			now:  warsaw(2026, 3, 28, 10, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-30T14:00:00+02:00", shipsOn: "2026-03-30", earliest: "2026-03-31", latest: "2026-04-01", hours: [2]int{24, 48},
		},
		{
			name: "during the spring-forward hour (03:30 CEST, 23-hour Sunday)",
			now:  time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-03-30T14:00:00+02:00", shipsOn: "2026-03-30", earliest: "2026-03-31", latest: "2026-04-01", hours: [2]int{24, 48},
		},
		{
			name: "Friday before the autumn change, New York buyer (still on EDT)",
			now:  warsaw(2026, 10, 23, 16, 0), locale: "en-US", country: "PL", node: "eu-waw",
			orderBy: "2026-10-26T09:00:00-04:00", shipsOn: "2026-10-26", earliest: "2026-10-27", latest: "2026-10-28", hours: [2]int{24, 48},
		},
		{
			name: "late on the 25-hour Sunday of the autumn change",
			now:  warsaw(2026, 10, 25, 23, 30), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-10-26T14:00:00+01:00", shipsOn: "2026-10-26", earliest: "2026-10-27", latest: "2026-10-28", hours: [2]int{24, 48},
		},
		{
			name: "in the repeated hour of the autumn change (02:30 CEST)",
			now:  time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-10-26T14:00:00+01:00", shipsOn: "2026-10-26", earliest: "2026-10-27", latest: "2026-10-28", hours: [2]int{24, 48},
		},
		{
			name: "the day before Christmas Eve, after the cut-off: next dispatch is Monday 28th",
			now:  warsaw(2026, 12, 23, 15, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-12-28T14:00:00+01:00", shipsOn: "2026-12-28", earliest: "2026-12-29", latest: "2026-12-30", hours: [2]int{24, 48},
		},
		{
			name: "the day before Christmas Eve, before the cut-off: ships today",
			now:  warsaw(2026, 12, 23, 13, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2026-12-23T14:00:00+01:00", shipsOn: "2026-12-23", earliest: "2026-12-24", latest: "2026-12-25", hours: [2]int{24, 48},
		},
		{
			name: "the day before a mid-week holiday (Epiphany)",
			now:  warsaw(2027, 1, 5, 15, 0), locale: "pl-PL", country: "PL", node: "eu-waw",
			orderBy: "2027-01-07T14:00:00+01:00", shipsOn: "2027-01-07", earliest: "2027-01-08", latest: "2027-01-09", hours: [2]int{24, 48},
		},
		{
			name: "central: a handling day on top, over the weekend",
			now:  time.Date(2026, 3, 27, 11, 0, 0, 0, berlin), locale: "de-DE", country: "DE", rules: preferCentral, node: "central",
			orderBy: "2026-03-27T12:00:00+01:00", shipsOn: "2026-03-30", earliest: "2026-03-31", latest: "2026-04-02", hours: [2]int{48, 96},
		},
		{
			name: "central: after its 12:00 cut-off on a Friday",
			now:  time.Date(2026, 3, 27, 12, 30, 0, 0, berlin), locale: "de-DE", country: "DE", rules: preferCentral, node: "central",
			orderBy: "2026-03-30T12:00:00+02:00", shipsOn: "2026-03-31", earliest: "2026-04-01", latest: "2026-04-03", hours: [2]int{48, 96},
		},
		{
			name: "US hub on the eve of Thanksgiving",
			now:  time.Date(2026, 11, 25, 16, 0, 0, 0, ny), locale: "en-US", country: "US", node: "us-east",
			orderBy: "2026-11-27T15:00:00-05:00", shipsOn: "2026-11-27", earliest: "2026-11-28", latest: "2026-11-30", hours: [2]int{24, 72},
		},
	}
	cat := demoCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := DefaultRules(cat)
			if tt.rules != "" {
				rs, err = ParseRules("test.yaml", []byte(tt.rules), cat)
			}
			if err != nil {
				t.Fatal(err)
			}
			inv := stocked(tt.now, map[string]map[string]int{"eu-waw": {amber: 9}, "us-east": {amber: 9}})
			d, err := newEngine(t, rs, inv, tt.now).Decide(context.Background(),
				Order{Lines: one(amber, 1), Destination: to(tt.country), Locale: tt.locale})
			if err != nil {
				t.Fatal(err)
			}
			p := d.Promise
			if d.Node.ID != tt.node {
				t.Fatalf("node %s, want %s", d.Node.ID, tt.node)
			}
			if got := p.OrderBy.Format(time.RFC3339); got != tt.orderBy {
				t.Errorf("order_by %s, want %s", got, tt.orderBy)
			}
			if p.ShipsOn != tt.shipsOn || p.EarliestDelivery != tt.earliest || p.LatestDelivery != tt.latest {
				t.Errorf("ships %s, delivery %s..%s; want %s, %s..%s", p.ShipsOn, p.EarliestDelivery, p.LatestDelivery, tt.shipsOn, tt.earliest, tt.latest)
			}
			if [2]int{p.MinHours, p.MaxHours} != tt.hours {
				t.Errorf("hours %d–%d, want %v", p.MinHours, p.MaxHours, tt.hours)
			}
			if !p.OrderBy.After(tt.now) {
				t.Errorf("order_by %s is not after the order time %s", p.OrderBy, tt.now)
			}
		})
	}
}

// A hub whose every day is a holiday must not loop forever.
func TestNextShippingDayBounded(t *testing.T) {
	n := &node{holidays: map[int32]bool{}, loc: time.UTC}
	d := civil{2026, time.January, 1}
	for i := 0; i < 800; i++ {
		n.holidays[d.key()] = true
		d = d.next()
	}
	got := n.nextShippingDay(civil{2026, time.January, 1})
	if got.y != 2027 {
		t.Errorf("nextShippingDay = %s, want a bounded search ending in 2027", got)
	}
}
