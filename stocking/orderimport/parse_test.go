package orderimport_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
)

// demoRegions is the routing engine's own country → region mapping, from
// the demo catalog.
func demoRegions(t testing.TB) orderimport.RegionOf {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "demo", "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse("demo/catalog.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return cat.RegionOf
}

func parseFile(t *testing.T, name string) (*orderimport.Result, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return orderimport.Parse(f, demoRegions(t))
}

func TestShopifyExport(t *testing.T) {
	res, err := parseFile(t, "shopify_export.csv")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05 -0700", s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	want := []stocking.OrderLine{
		{OrderID: "#1001", Time: at("2026-03-02 09:15:00 +0100"), SKU: "amber-oud-50ml", Qty: 2, Country: "PL", Region: "EU"},
		{OrderID: "#1001", Time: at("2026-03-02 09:15:00 +0100"), SKU: "vetiver-noir-50ml", Qty: 1, Country: "PL", Region: "EU"},
		{OrderID: "#1002", Time: at("2026-03-02 22:40:05 -0500"), SKU: "label-tee", Qty: 3, Country: "US", Region: "US"},
		{OrderID: "#1004", Time: at("2026-03-04 08:00:00 +0000"), SKU: "label-hoodie", Qty: 1, Country: "GB", Region: "GB"},
		{OrderID: "#1005", Time: at("2026-03-05 18:30:00 +0900"), SKU: "rose-absolute-30ml", Qty: 1, Country: "JP", Region: "APAC"},
		{OrderID: "#1005", Time: at("2026-03-05 18:30:00 +0900"), SKU: "label-cap", Qty: 2, Country: "JP", Region: "APAC"},
		{OrderID: "#1007", Time: at("2026-03-07 01:00:00 -0800"), SKU: "label-longsleeve", Qty: 1, Country: "CA", Region: "US"},
	}
	if len(res.Lines) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(res.Lines), res.Lines, len(want))
	}
	for i := range want {
		if res.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, res.Lines[i], want[i])
		}
	}
	wantCounts := orderimport.Counts{Rows: 11, Orders: 5, Lines: 7, Units: 11, Cancelled: 1, Refunded: 2, NoSKU: 1, NoShip: 1}
	if res.Counts != wantCounts {
		t.Errorf("counts = %+v, want %+v", res.Counts, wantCounts)
	}
	if len(res.Returns) != 2 || res.Returns[0].OrderID != "#1004" || res.Returns[0].Region != "GB" ||
		res.Returns[1].OrderID != "#1005" || res.Returns[1].Units != 3 {
		t.Errorf("returns = %+v, want #1004 (GB) and #1005 (3 units)", res.Returns)
	}
}

func TestHeaderVariants(t *testing.T) {
	res, err := parseFile(t, "header_variants.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 3 {
		t.Fatalf("lines = %+v", res.Lines)
	}
	// The second row carries nothing order-level: A-1's time and country
	// are carried down; RFC 3339 with an offset lands in UTC.
	if l := res.Lines[1]; l.SKU != "label-tee" || l.Country != "FR" || l.Region != "EU" || !l.Time.Equal(time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("carried-down line = %+v", l)
	}
	if l := res.Lines[2]; l.Region != "APAC" || !l.Time.Equal(time.Date(2026, 3, 11, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("A-2 = %+v", l)
	}
}

func TestBadRowsNameLineAndColumn(t *testing.T) {
	res, err := parseFile(t, "bad_rows.csv")
	var ie *orderimport.Error
	if !errors.As(err, &ie) || res != nil {
		t.Fatalf("got %v, %v; want an *Error and nothing parsed", res, err)
	}
	want := []orderimport.RowError{
		{Line: 3, Column: "Lineitem quantity"},
		{Line: 4, Column: "Created at"},
		{Line: 5, Column: "Shipping Country"},
		{Line: 6, Column: "Name"},
		{Line: 7, Column: "Lineitem quantity"},
	}
	if len(ie.Rows) != len(want) {
		t.Fatalf("errors = %v, want %d", ie, len(want))
	}
	for i, w := range want {
		if ie.Rows[i].Line != w.Line || ie.Rows[i].Column != w.Column || ie.Rows[i].Reason == "" {
			t.Errorf("error %d = %+v, want line %d column %q", i, ie.Rows[i], w.Line, w.Column)
		}
	}
	if !strings.Contains(err.Error(), `line 4, column "Created at": "yesterday" is not a time`) {
		t.Errorf("message = %s", err)
	}
}

func TestRefusedFiles(t *testing.T) {
	cases := map[string]string{
		"":                        "line 1: the file is empty",
		"Name,Created at\n#1,x\n": "lacks Lineitem sku, Lineitem quantity, Shipping Country",
		"Name,Created at,Lineitem sku,Lineitem quantity,Shipping Country\n#1,2026-03-02T10:00:00Z,a,1,PL\n#2,2026-03-02T10:00:00Z,b,1,PL\n#1,,c,1,\n": `line 4, column "Name": order #1 already ended at line 2`,
		"Name,Created at,Lineitem sku,Lineitem quantity,Shipping Country\n#1,\"2026-03-02,a,1,PL\n":                                                   "line 2: not valid CSV",
	}
	for in, want := range cases {
		_, err := orderimport.Parse(strings.NewReader(in), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", in, err, want)
		}
	}
	if _, err := parseFile(t, "missing_columns.csv"); err == nil || !strings.Contains(err.Error(), "lacks Lineitem sku") {
		t.Errorf("missing_columns.csv: %v", err)
	}
}

// FuzzImport: no input panics, and what is accepted is consistent: every
// line has a SKU, a positive quantity, a country and a region, and the
// counts add up.
func FuzzImport(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzImport
	for _, name := range []string{"shopify_export.csv", "header_variants.csv", "bad_rows.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	regionOf := demoRegions(f)
	f.Fuzz(func(t *testing.T, in string) {
		res, err := orderimport.Parse(strings.NewReader(in), regionOf)
		if err != nil {
			if res != nil {
				t.Fatal("a refused import returned lines")
			}
			return
		}
		units := 0
		for _, l := range res.Lines {
			if l.SKU == "" || l.Qty <= 0 || len(l.Country) != 2 || l.Region == "" || l.OrderID == "" {
				t.Fatalf("accepted line %+v", l)
			}
			units += l.Qty
		}
		if units != res.Counts.Units || len(res.Lines) != res.Counts.Lines {
			t.Fatalf("counts %+v vs %d lines, %d units", res.Counts, len(res.Lines), units)
		}
	})
}
