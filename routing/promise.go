package routing

import "time"

// Promise is when an order ships and arrives.
//
// MinHours/MaxHours are what the badge shows: handling days plus the primary
// carrier's transit table for the destination. They do not move with the
// clock; the dates do: the cut-off, weekends (hubs do not ship on Saturday
// or Sunday) and the hub's holidays decide the day the parcel leaves, and
// the transit hours are counted from that day's cut-off.
type Promise struct {
	MinHours int `json:"min_hours"`
	MaxHours int `json:"max_hours"`
	// OrderBy is the cut-off that gets this promise, in the buyer's time
	// zone (the locale's, else the hub's): "order by 08:00 (your time)".
	OrderBy time.Time `json:"order_by"`
	// ShipsOn is the hub-local date the parcel leaves.
	ShipsOn string `json:"ships_on"`
	// EarliestDelivery and LatestDelivery are dates in the buyer's time zone.
	EarliestDelivery string `json:"earliest_delivery"`
	LatestDelivery   string `json:"latest_delivery"`
	// TZ is the buyer's time zone the instants and dates are expressed in.
	TZ string `json:"tz"`
}

// maxCalendarDays bounds the search for a shipping day, so a holiday list
// that covers everything cannot loop forever.
const maxCalendarDays = 400

// civil is a calendar date with no time zone attached. Day arithmetic is
// done on civil dates (normalised by time.Date in UTC), never by adding 24h
// to a local instant: across a DST change a day is 23 or 25 hours long.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

func (c civil) next() civil {
	return civilOf(time.Date(c.y, c.m, c.d+1, 12, 0, 0, 0, time.UTC))
}

func (c civil) key() int32 { return int32(c.y*10000 + int(c.m)*100 + c.d) }

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) String() string {
	return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// at is the instant of a local wall-clock time on that date. In a DST gap
// time.Date moves it forward, which is what a warehouse clock does too.
func (c civil) at(minutes int, loc *time.Location) time.Time {
	return time.Date(c.y, c.m, c.d, minutes/60, minutes%60, 0, 0, loc)
}

// shipsOn reports whether the node dispatches on a local date.
func (n *node) shipsOn(c civil) bool {
	if wd := c.weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !n.holidays[c.key()]
}

func (n *node) nextShippingDay(c civil) civil {
	for i := 0; i < maxCalendarDays; i++ {
		c = c.next()
		if n.shipsOn(c) {
			return c
		}
	}
	return c
}

// promise computes the dates for an order placed at now, shipped with a
// carrier option, for a buyer in the given time zone.
func (n *node) promise(now time.Time, c CarrierOption, buyer *time.Location) Promise {
	local := now.In(n.loc)
	day := civilOf(local)
	// The order makes today's dispatch only on a shipping day before the
	// cut-off (strictly: 14:00:00 is too late for a 14:00 cut-off).
	if !n.shipsOn(day) || !local.Before(day.at(n.cutoff, n.loc)) {
		day = n.nextShippingDay(day)
	}
	orderBy := day.at(n.cutoff, n.loc)
	dispatch := day
	for i := 0; i < n.handlingDays; i++ {
		dispatch = n.nextShippingDay(dispatch)
	}
	leaves := dispatch.at(n.cutoff, n.loc)
	if buyer == nil {
		buyer = n.loc
	}
	return Promise{
		MinHours:         n.handlingDays*24 + c.MinHours,
		MaxHours:         n.handlingDays*24 + c.MaxHours,
		OrderBy:          orderBy.In(buyer),
		ShipsOn:          dispatch.String(),
		EarliestDelivery: leaves.Add(time.Duration(c.MinHours) * time.Hour).In(buyer).Format(time.DateOnly),
		LatestDelivery:   leaves.Add(time.Duration(c.MaxHours) * time.Hour).In(buyer).Format(time.DateOnly),
		TZ:               buyer.String(),
	}
}
