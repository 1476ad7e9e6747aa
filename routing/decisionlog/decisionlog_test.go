package decisionlog_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// flaky is a store whose Puts fail while down is set.
type flaky struct {
	store.Blob
	down atomic.Bool
}

func (f *flaky) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	if f.down.Load() {
		return store.Info{}, errors.New("store unreachable")
	}
	return f.Blob.Put(ctx, key, data, opts)
}

func newStore(t *testing.T) *flaky {
	blob, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &flaky{Blob: blob}
}

func rec(id string, at time.Time) decisionlog.Record {
	return decisionlog.Record{DecisionID: id, DecidedAt: at, Source: decisionlog.SourceOrder, Region: "EU", Node: "eu-waw"}
}

func TestWriterBatchesByDayAndKeepsBatchesWhileTheStoreIsDown(t *testing.T) {
	ctx := context.Background()
	blob := newStore(t)
	w := decisionlog.NewWriter(blob, decisionlog.Options{Batch: 100})
	day1 := time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Minute)
	w.Append(rec("A1", day1))
	w.Append(rec("A2", day2))

	blob.down.Store(true)
	if err := w.Flush(ctx); err == nil || !strings.Contains(err.Error(), "kept for the next flush") {
		t.Fatalf("Flush while down = %v, want the batch kept", err)
	}
	if w.Pending() != 2 {
		t.Fatalf("pending after a failed flush = %d, want 2", w.Pending())
	}
	w.Append(rec("A3", day2))
	blob.down.Store(false)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Pending() != 0 {
		t.Fatalf("pending after flush = %d", w.Pending())
	}
	keys1, _ := blob.List(ctx, "decisions/2026-11-24/")
	keys2, _ := blob.List(ctx, "decisions/2026-11-25/")
	if len(keys1) != 1 || len(keys2) != 1 || !strings.HasPrefix(keys2[0].Key, "decisions/2026-11-25/A2-") {
		t.Fatalf("objects = %v / %v, want one per day named after its first decision", keys1, keys2)
	}
	recs, bad, err := decisionlog.ReadDecisions(ctx, blob, day1, day2)
	if err != nil || bad != 0 {
		t.Fatal(err, bad)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.DecisionID)
	}
	if got := strings.Join(ids, ","); got != "A1,A2,A3" {
		t.Fatalf("read back %s, want A1,A2,A3 (none lost, in order)", got)
	}
}

func TestWriterBoundsMemoryWhileDown(t *testing.T) {
	blob := newStore(t)
	blob.down.Store(true)
	w := decisionlog.NewWriter(blob, decisionlog.Options{Batch: 10, MaxBuffered: 50})
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := range 80 {
		w.Append(rec(string(rune('a'+i%26))+time.Duration(i).String(), at))
	}
	if w.Pending() != 50 {
		t.Fatalf("pending = %d, want the bound 50", w.Pending())
	}
}

func TestRunFlushesOnTimerAndOnStop(t *testing.T) {
	blob := newStore(t)
	w := decisionlog.NewWriter(blob, decisionlog.Options{FlushEvery: time.Hour, Batch: 1000})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	w.Append(rec("S1", at))
	cancel()
	<-done
	recs, _, err := decisionlog.ReadDecisions(context.Background(), blob, at, at)
	if err != nil || len(recs) != 1 {
		t.Fatalf("after stop: %d records, %v; want the pending one flushed", len(recs), err)
	}
}

func TestDeliveriesAreDurableOnReturn(t *testing.T) {
	ctx := context.Background()
	blob := newStore(t)
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	ds := []decisionlog.Delivery{{DecisionID: "X", DeliveredAt: now.Add(-time.Hour), Cost: 7.5}}
	key, err := decisionlog.PutDeliveries(ctx, blob, ds, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "deliveries/2026-11-25/") {
		t.Fatalf("key = %s", key)
	}
	got, _, err := decisionlog.ReadDeliveries(ctx, blob, now, now)
	if err != nil || len(got) != 1 || got[0].Cost != 7.5 || !got[0].PostedAt.Equal(now) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	blob.down.Store(true)
	if _, err := decisionlog.PutDeliveries(ctx, blob, ds, now); err == nil {
		t.Fatal("PutDeliveries reported success with the store down")
	}
}
