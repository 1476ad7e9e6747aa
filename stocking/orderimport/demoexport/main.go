// Command demoexport prints a year of generated order history for the demo
// catalog (stockingtest.Generate, seed 1) as a Shopify order export,
// moved to end with last week, for `edgeshelf import orders` or POST
// /admin/orders/import:
//
//	go run ./stocking/orderimport/demoexport > /tmp/orders.csv
package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

func main() {
	h := stockingtest.Generate(1, 52)
	orderimport.ShiftToEnd(h.Lines, h.Now, demand.WeekStart(time.Now()))
	w := bufio.NewWriter(os.Stdout)
	err := orderimport.WriteCSV(w, h.Lines)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demoexport:", err)
		os.Exit(1)
	}
}
