package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

func testdataCSV(name string) string {
	return filepath.Join("..", "..", "stocking", "orderimport", "testdata", name)
}

// `edgeshelf import orders` stores a good export as one object and a bad
// one not at all, naming its bad rows by line.
func TestImportOrders(t *testing.T) {
	dir := origintest.DemoStore(t).Dir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"import", "orders", "--store", dir, testdataCSV("bad_rows.csv")}, nil, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "nothing imported") || !strings.Contains(stderr.String(), "\n  line 4, column \"Created at\"") {
		t.Errorf("bad file: exit %d, %q", code, stderr.String())
	}
	blob, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if infos, err := blob.List(context.Background(), orderimport.Prefix); err != nil || len(infos) != 0 {
		t.Fatalf("after a refused import the store holds %v (%v)", infos, err)
	}

	stdout.Reset()
	stderr.Reset()
	code = run([]string{"import", "orders", "--store", dir, testdataCSV("shopify_export.csv")}, nil, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "imported 5 orders (7 lines, 11 units) as orders/imports/") {
		t.Fatalf("exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	h, err := orderimport.Load(context.Background(), blob)
	if err != nil || h.Imports != 1 || len(h.Lines) != 7 || h.Lines[0].Region != "EU" {
		t.Errorf("stored: %+v, %v", h, err)
	}

	stdin = strings.NewReader("Name,Created at,Lineitem sku,Lineitem quantity,Shipping Country\n#9,2026-03-02T10:00:00Z,label-mug,2,GB\n")
	defer func() { stdin = nil }()
	stdout.Reset()
	if code := run([]string{"import", "orders", "--store", dir, "-"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "imported 1 orders") {
		t.Errorf("stdin: exit %d, %q %q", code, stdout.String(), stderr.String())
	}

	for _, args := range [][]string{{"import"}, {"import", "orders"}, {"import", "customers", "x.csv"}} {
		stderr.Reset()
		if code := run(args, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: edgeshelf import orders") {
			t.Errorf("%v: exit %d, %q", args, code, stderr.String())
		}
	}
}
