// Package orderimport reads a shop's Shopify order export (CSV) into order
// lines for the stocking report, and keeps each import in the store as one
// object under orders/imports/ (store.go).
//
// A Shopify export has one row per line item; only an order's first row
// carries the order-level fields (created at, shipping address, statuses),
// so they are carried down to the order's later rows. What is counted:
//
//   - cancelled orders (a "Cancelled at" date, or financial status
//     "voided") are left out: nothing left a shelf;
//   - refunded orders (status "refunded" / "partially_refunded", or a
//     "Refunded Amount" above 0) stay in demand, because the units were
//     picked from a shelf before they came back, and are listed as
//     returns for the delivery telemetry;
//   - rows without a SKU (gift cards, tips) and orders without a shipping
//     country (local pickup, digital goods) are skipped and counted:
//     they never route through a hub.
//
// Anything else malformed fails the whole import with every bad row's
// 1-based line number and column: an import is all or nothing.
package orderimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// MaxRows bounds one import; MaxErrors how many bad rows an error lists.
const (
	MaxRows   = 1_000_000
	MaxErrors = 50
	maxQty    = 100_000
)

// Column names as Shopify writes them (matched ignoring case and spaces).
const (
	colName      = "Name"
	colCreated   = "Created at"
	colSKU       = "Lineitem sku"
	colQty       = "Lineitem quantity"
	colCountry   = "Shipping Country"
	colProvince  = "Shipping Province"
	colFinancial = "Financial Status"
	colCancelled = "Cancelled at"
	colRefunded  = "Refunded Amount"
)

var requiredColumns = []string{colName, colCreated, colSKU, colQty, colCountry}
var optionalColumns = []string{colProvince, colFinancial, colCancelled, colRefunded}

// Return is a refunded order: the telemetry counts it against its region
// and week. The export has no refund date, so At is the order's time.
type Return struct {
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
	Country string    `json:"country"`
	Region  string    `json:"region"`
	Units   int       `json:"units"`
}

// Counts summarise an import.
type Counts struct {
	Rows      int `json:"rows"`
	Orders    int `json:"orders"`
	Lines     int `json:"lines"`
	Units     int `json:"units"`
	Cancelled int `json:"cancelled_orders"`
	Refunded  int `json:"refunded_orders"`
	NoSKU     int `json:"skipped_rows_without_sku"`
	NoShip    int `json:"skipped_orders_without_shipping"`
}

// Result is a parsed export.
type Result struct {
	Lines   []stocking.OrderLine `json:"lines"`
	Returns []Return             `json:"returns"`
	Counts  Counts               `json:"counts"`
}

// RowError is one bad field.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %q: %s", e.Line, e.Column, e.Reason)
}

// Error lists the bad rows of a refused import (at most MaxErrors; More
// counts the rest).
type Error struct {
	Rows []RowError `json:"rows"`
	More int        `json:"more,omitempty"`
}

func (e *Error) Error() string {
	parts := make([]string, 0, len(e.Rows)+1)
	for _, r := range e.Rows {
		parts = append(parts, r.Error())
	}
	if e.More > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", e.More))
	}
	return "orders: " + strings.Join(parts, "; ")
}

func (e *Error) add(r RowError) {
	if len(e.Rows) < MaxErrors {
		e.Rows = append(e.Rows, r)
		return
	}
	e.More++
}

// RegionOf maps a destination country to the routing engine's region
// (catalog.Catalog.RegionOf).
type RegionOf func(country string) string

// Parse reads a whole export. Any bad row fails it with an *Error; nothing
// of a failing file is returned.
func Parse(r io.Reader, regionOf RegionOf) (*Result, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // short rows are reported with their line below
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Rows: []RowError{{Line: 1, Reason: "the file is empty; want a Shopify order export with a header row"}}}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols, err := mapColumns(header)
	if err != nil {
		return nil, err
	}
	p := &parser{cols: cols, regionOf: regionOf, res: &Result{Lines: []stocking.OrderLine{}, Returns: []Return{}}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if p.res.Counts.Rows++; p.res.Counts.Rows > MaxRows {
			return nil, &Error{Rows: []RowError{{Line: line, Reason: fmt.Sprintf("more than %d rows; split the export", MaxRows)}}}
		}
		p.row(line, rec)
	}
	p.finishOrder()
	if len(p.errs.Rows) > 0 {
		return nil, &p.errs
	}
	return p.res, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Rows: []RowError{{Line: pe.Line, Reason: fmt.Sprintf("not valid CSV at column %d: %v", pe.Column, pe.Err)}}}
	}
	return err
}

// normalise makes header names comparable: no BOM, no case, single spaces,
// underscores as spaces ("lineitem_sku" is seen in hand-made exports).
func normalise(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(strings.ToLower(s), "_", " ")
	return strings.Join(strings.Fields(s), " ")
}

// mapColumns finds each known column's index; optional ones are -1 when
// absent.
func mapColumns(header []string) (map[string]int, error) {
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := seen[normalise(h)]; !dup {
			seen[normalise(h)] = i
		}
	}
	cols := make(map[string]int, len(requiredColumns)+len(optionalColumns))
	var missing []string
	for _, name := range requiredColumns {
		i, ok := seen[normalise(name)]
		if !ok {
			missing = append(missing, name)
		}
		cols[name] = i
	}
	if len(missing) > 0 {
		return nil, &Error{Rows: []RowError{{Line: 1, Reason: fmt.Sprintf("the header lacks %s (is this a Shopify order export?)", strings.Join(missing, ", "))}}}
	}
	for _, name := range optionalColumns {
		i, ok := seen[normalise(name)]
		if !ok {
			i = -1
		}
		cols[name] = i
	}
	return cols, nil
}

// timeLayouts: Shopify's own, then RFC 3339 (exports edited in tools).
var timeLayouts = []string{"2006-01-02 15:04:05 -0700", time.RFC3339, "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05Z07:00"}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2024-03-05 14:22:10 +0100 or 2024-03-05T14:22:10+01:00", s)
}

// utf8Clean refuses NULs and control bytes a spreadsheet would not write.
func utf8Clean(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0xfffd })
}
