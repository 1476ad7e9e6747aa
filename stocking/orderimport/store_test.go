package orderimport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

func TestPutLoad(t *testing.T) {
	ctx := context.Background()
	blob, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := orderimport.Load(ctx, blob)
	if err != nil || h.Imports != 0 || len(h.Lines) != 0 {
		t.Fatalf("empty store: %+v, %v", h, err)
	}
	first, err := parseFile(t, "shopify_export.csv")
	if err != nil {
		t.Fatal(err)
	}
	second, err := parseFile(t, "header_variants.csv")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)
	a, err := orderimport.Put(ctx, blob, first, "shopify_export.csv", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orderimport.Put(ctx, blob, second, "header_variants.csv", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(orderimport.Key(a.ID), "orders/imports/20260320T100000Z-") {
		t.Errorf("key = %s", orderimport.Key(a.ID))
	}
	h, err = orderimport.Load(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	if h.Imports != 2 || len(h.Lines) != len(first.Lines)+len(second.Lines) || len(h.Returns) != 2 {
		t.Fatalf("loaded %d imports, %d lines, %d returns", h.Imports, len(h.Lines), len(h.Returns))
	}
	// Import order: the first file's lines come first, intact.
	if h.Lines[0] != first.Lines[0] || h.Lines[len(first.Lines)] != second.Lines[0] {
		t.Errorf("lines out of order: %+v", h.Lines[:2])
	}
	if _, err := blob.Put(ctx, orderimport.Prefix+"broken.json", []byte("{"), storePut()); err != nil {
		t.Fatal(err)
	}
	if _, err := orderimport.Load(ctx, blob); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("a broken import object: %v, want an error naming it", err)
	}
}

func storePut() store.PutOptions { return store.PutOptions{ContentType: "application/json"} }
