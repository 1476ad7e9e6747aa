package fromstore

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// LoadCatalog reads the catalog and the active rules from the store, for
// commands that run without a server (edgeshelf report stocking, import
// orders).
func LoadCatalog(ctx context.Context, blob store.Blob) (Catalog, error) {
	cat, _, err := catalog.Load(ctx, blob)
	if err != nil {
		return Catalog{}, fmt.Errorf("loading the catalog: %w", err)
	}
	obj, err := blob.Get(ctx, routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	if err != nil {
		return Catalog{}, fmt.Errorf("reading %s: %w", routing.ActiveKey, err)
	}
	rs, err := routing.ParseRules(routing.ActiveKey, obj.Data, cat)
	if err != nil {
		return Catalog{}, err
	}
	return Catalog{Catalog: cat, Rules: rs}, nil
}

// WriteText writes the plan's tables, then the delivery telemetry and what
// the report read.
func (r *Report) WriteText(w io.Writer) error {
	if err := r.Stocking.WriteText(w); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	if err := r.Delivery.WriteText(w); err != nil {
		return err
	}
	s := r.Sources
	_, err := fmt.Fprintf(w, "\nRead %d weeks: %d logged order lines, %d imported lines from %d imports (%d returns), %d deliveries, %d events from %s, %d unreadable log lines\n",
		s.HistoryWeeks, s.LoggedOrders, s.ImportedLines, s.Imports, s.Returns, s.Deliveries, s.Events, s.EventsKey, s.UnreadableLines)
	return err
}
