package orderimport

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
)

// WriteCSV writes order lines as a minimal Shopify order export: one row
// per line, the order-level fields on each order's first row only, as
// Shopify does. Demos and tests import history through it.
func WriteCSV(w io.Writer, lines []stocking.OrderLine) error {
	sorted := append([]stocking.OrderLine(nil), lines...)
	// Stable on time then order id, so an order's rows stay together.
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].Time.Equal(sorted[j].Time) {
			return sorted[i].Time.Before(sorted[j].Time)
		}
		return sorted[i].OrderID < sorted[j].OrderID
	})
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{colName, colCreated, colSKU, colQty, colCountry, colFinancial}); err != nil {
		return err
	}
	prev := ""
	for _, l := range sorted {
		row := []string{l.OrderID, "", l.SKU, strconv.Itoa(l.Qty), "", ""}
		if l.OrderID != prev {
			row[1], row[4], row[5] = l.Time.UTC().Format("2006-01-02 15:04:05 -0700"), l.Country, "paid"
			prev = l.OrderID
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ShiftToEnd moves lines in time so that the week starting at end (a
// Monday) is the first week after them: generated history made to end
// last week.
func ShiftToEnd(lines []stocking.OrderLine, historyEnd, end time.Time) {
	shift := end.Sub(historyEnd)
	for i := range lines {
		lines[i].Time = lines[i].Time.Add(shift)
	}
}
