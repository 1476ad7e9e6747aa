package fromstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/store"
)

// ReturnsPrefix holds the returns posted to POST /admin/returns:
// returns/{yyyy-mm-dd}/{id}.jsonl, one Return per line, the date the
// post's. POST /returns/route names no order, so returns of routed orders
// are recorded here, by decision id, as deliveries are.
const ReturnsPrefix = "returns/"

// Return is a routed order that came back.
type Return struct {
	DecisionID string    `json:"decision_id"`
	ReturnedAt time.Time `json:"returned_at"`
	Reason     string    `json:"reason,omitempty"`
	PostedAt   time.Time `json:"posted_at"`
}

// PutReturns stores returns as one object and returns its key.
func PutReturns(ctx context.Context, blob store.Blob, rs []Return, now time.Time) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range rs {
		r.PostedAt = now.UTC()
		if err := enc.Encode(r); err != nil {
			return "", err
		}
	}
	key := ReturnsPrefix + now.UTC().Format(time.DateOnly) + "/" + orderimport.NewID(now) + ".jsonl"
	if _, err := blob.Put(ctx, key, buf.Bytes(), store.PutOptions{ContentType: "application/x-ndjson"}); err != nil {
		return "", fmt.Errorf("storing returns: %w", err)
	}
	return key, nil
}

// maxReturnsObject bounds one returns object.
const maxReturnsObject = 64 << 20

// ReadReturns reads the returns posted on the days from..to (UTC dates,
// inclusive) as import-style returns keyed by decision id. Lines that do
// not decode are counted, not fatal, as in the decision log.
func ReadReturns(ctx context.Context, blob store.Blob, from, to time.Time) (out []orderimport.Return, bad int, err error) {
	infos, err := blob.List(ctx, ReturnsPrefix)
	if err != nil {
		return nil, 0, fmt.Errorf("listing %s: %w", ReturnsPrefix, err)
	}
	first, last := from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly)
	for _, info := range infos {
		day, _, _ := strings.Cut(strings.TrimPrefix(info.Key, ReturnsPrefix), "/")
		if day < first || day > last {
			continue
		}
		obj, err := blob.Get(ctx, info.Key, store.GetOptions{MaxBytes: maxReturnsObject})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("reading %s: %w", info.Key, err)
		}
		for line := range bytes.Lines(obj.Data) {
			var r Return
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if json.Unmarshal(line, &r) != nil || r.DecisionID == "" {
				bad++
				continue
			}
			out = append(out, orderimport.Return{OrderID: r.DecisionID, At: r.ReturnedAt})
		}
	}
	return out, bad, nil
}
