package routing

import (
	"fmt"
	"math"
)

// MaxLines bounds the distinct SKUs of one order: line sets are bitmasks in
// the split search.
const MaxLines = 64

// maxQty bounds one line's quantity; anything larger is a typo or abuse.
const maxQty = 1_000_000

// Order is what is routed: lines, where they go, who is buying and when.
type Order struct {
	// ID is the caller's reference; it only labels dry-run results.
	ID          string      `json:"id,omitempty" yaml:"id"`
	Lines       []Line      `json:"lines" yaml:"lines"`
	Destination Destination `json:"destination" yaml:"destination"`
	// Locale is the buyer's locale tag; it is resolved against the catalog
	// (exact, same language, default) for the badge and the buyer's time zone.
	Locale string `json:"locale,omitempty" yaml:"locale"`
	// Total is the order value; rules' `when:` conditions may test it.
	Total    float64 `json:"total,omitempty" yaml:"total"`
	Currency string  `json:"currency,omitempty" yaml:"currency"`
}

// Line is one SKU and how many of it. Lines naming the same SKU are added up.
type Line struct {
	SKU string `json:"sku" yaml:"sku"`
	Qty int    `json:"qty" yaml:"qty"`
}

// Destination is where an order ships. Lat/Lon, when given, place it
// exactly; otherwise the country's population centre is used.
type Destination struct {
	Country    string   `json:"country" yaml:"country"`
	PostalCode string   `json:"postal_code,omitempty" yaml:"postal_code"`
	Lat        *float64 `json:"lat,omitempty" yaml:"lat"`
	Lon        *float64 `json:"lon,omitempty" yaml:"lon"`
}

// OrderError is an order the engine cannot judge (HTTP 400/422): it names
// the field and carries a stable code.
type OrderError struct {
	Code  string // invalid_order or unknown_sku
	Field string // e.g. lines[1].qty
	Msg   string
}

func (e *OrderError) Error() string {
	return fmt.Sprintf("routing: order %s: %s", e.Field, e.Msg)
}

func orderErr(field, format string, args ...any) *OrderError {
	return &OrderError{Code: "invalid_order", Field: field, Msg: fmt.Sprintf(format, args...)}
}

// upperCountry upper-cases a two-letter country code without allocating
// when it already is upper case; ok is false when it is not two letters.
func upperCountry(s string) (string, bool) {
	if len(s) != 2 {
		return "", false
	}
	a, b := s[0], s[1]
	if a >= 'a' && a <= 'z' || b >= 'a' && b <= 'z' {
		a, b = a&^0x20, b&^0x20
		s = string([]byte{a, b})
	}
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return "", false
	}
	return s, true
}

func validPoint(d Destination) *OrderError {
	if (d.Lat == nil) != (d.Lon == nil) {
		return orderErr("destination", "lat and lon go together")
	}
	if d.Lat == nil {
		return nil
	}
	if la := *d.Lat; math.IsNaN(la) || la < -90 || la > 90 {
		return orderErr("destination.lat", "must be within ±90")
	}
	if lo := *d.Lon; math.IsNaN(lo) || lo < -180 || lo > 180 {
		return orderErr("destination.lon", "must be within ±180")
	}
	return nil
}
