package orderimport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// parser walks the rows, one order at a time.
type parser struct {
	cols     map[string]int
	regionOf RegionOf
	res      *Result
	errs     Error
	// cur is the order being read; done the names of orders already
	// finished, to refuse an order whose rows are not together.
	cur  *order
	done map[string]int
}

// order holds the order-level fields from an order's first row.
type order struct {
	name      string
	line      int
	at        time.Time
	country   string
	cancelled bool
	refunded  bool
	lines     []stocking.OrderLine
}

func (p *parser) field(rec []string, col string) string {
	i := p.cols[col]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (p *parser) fail(line int, col, format string, args ...any) {
	p.errs.add(RowError{Line: line, Column: col, Reason: fmt.Sprintf(format, args...)})
}

func (p *parser) row(line int, rec []string) {
	if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
		return // a blank line
	}
	name := p.field(rec, colName)
	switch {
	case name == "":
		p.fail(line, colName, "the order name is empty")
		return
	case len(name) > 64 || !utf8Clean(name):
		p.fail(line, colName, "the order name must be at most 64 printable bytes")
		return
	}
	if p.cur == nil || p.cur.name != name {
		p.finishOrder()
		if first, seen := p.done[name]; seen {
			p.fail(line, colName, "order %s already ended at line %d: an order's rows must be together", name, first)
			return
		}
		p.cur = p.startOrder(line, name, rec)
	}
	p.lineItem(line, rec)
}

// startOrder reads the order-level fields, which only the first row of an
// order carries.
func (p *parser) startOrder(line int, name string, rec []string) *order {
	o := &order{name: name, line: line}
	created := p.field(rec, colCreated)
	if created == "" {
		p.fail(line, colCreated, "the first row of order %s has no creation time", name)
	} else if t, err := parseTime(created); err != nil {
		p.fail(line, colCreated, "%v", err)
	} else {
		o.at = t
	}
	o.country = strings.ToUpper(p.field(rec, colCountry))
	if o.country != "" && !isCountryCode(o.country) {
		p.fail(line, colCountry, "%q is not a two-letter ISO country code", o.country)
	}
	status := strings.ToLower(p.field(rec, colFinancial))
	o.cancelled = p.field(rec, colCancelled) != "" || status == "voided"
	o.refunded = status == "refunded" || status == "partially_refunded"
	if amount := p.field(rec, colRefunded); amount != "" {
		v, err := strconv.ParseFloat(amount, 64)
		if err != nil || !(v >= 0) || v > 1e12 {
			p.fail(line, colRefunded, "%q is not an amount ≥ 0", amount)
		}
		o.refunded = o.refunded || v > 0
	}
	return o
}

func (p *parser) lineItem(line int, rec []string) {
	sku := p.field(rec, colSKU)
	qtyText := p.field(rec, colQty)
	qty, err := strconv.Atoi(qtyText)
	if err != nil || qty < 0 || qty > maxQty {
		p.fail(line, colQty, "%q is not a whole number of units within 0..%d", qtyText, maxQty)
		return
	}
	switch {
	case sku == "":
		p.res.Counts.NoSKU++
		return
	case len(sku) > 64 || !utf8Clean(sku):
		p.fail(line, colSKU, "a SKU is at most 64 printable bytes")
		return
	case qty == 0: // an item removed in an order edit
		return
	}
	p.cur.lines = append(p.cur.lines, stocking.OrderLine{
		OrderID: p.cur.name, Time: p.cur.at, SKU: sku, Qty: qty, Country: p.cur.country,
	})
}

// finishOrder files the current order: left out when cancelled or not
// shipped, listed as a return too when refunded.
func (p *parser) finishOrder() {
	o := p.cur
	if o == nil {
		return
	}
	p.cur = nil
	if p.done == nil {
		p.done = make(map[string]int)
	}
	p.done[o.name] = o.line
	switch {
	case o.cancelled:
		p.res.Counts.Cancelled++
		return
	case o.country == "":
		p.res.Counts.NoShip++
		return
	case len(o.lines) == 0:
		return
	}
	region := o.country
	if p.regionOf != nil {
		region = p.regionOf(o.country)
	}
	units := 0
	for _, l := range o.lines {
		l.Region = region
		units += l.Qty
		p.res.Lines = append(p.res.Lines, l)
	}
	p.res.Counts.Orders++
	p.res.Counts.Lines += len(o.lines)
	p.res.Counts.Units += units
	if o.refunded {
		p.res.Counts.Refunded++
		p.res.Returns = append(p.res.Returns, Return{OrderID: o.name, At: o.at, Country: o.country, Region: region, Units: units})
	}
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
