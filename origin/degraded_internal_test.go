package origin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/store"
)

// hangingStore answers no read until the caller gives up, as a black-holed
// S3 endpoint does.
type hangingStore struct{ store.Blob }

func (hangingStore) Get(ctx context.Context, _ string, _ store.GetOptions) (*store.Object, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (hangingStore) Stat(ctx context.Context, _ string) (store.Info, error) {
	<-ctx.Done()
	return store.Info{}, ctx.Err()
}

// TestDegradedStoreReadsFailFast: while the store is degraded, a read of a
// black-holed store gives up after storeDegradedReadTimeout, not after the
// request's whole deadline; while healthy, the caller's deadline holds.
func TestDegradedStoreReadsFailFast(t *testing.T) {
	h := newStoreHealth(hangingStore{}, prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The caller's deadline is far past the degraded read's 2 s (+5 s of
	// scheduling slack below), so a read that waited for it fails.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	start := time.Now() // before the deadline is set, so took cannot undercount it
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if _, err := h.Get(short, "originals/x/front.jpg", store.GetOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("healthy store read: %v, want the caller's deadline", err)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("healthy store read gave up after %v, before the caller's 50ms deadline", took)
	}

	h.failed(store.ErrUnavailable, true) // the probe saw the outage
	if !h.State().Degraded {
		t.Fatal("not degraded after a failed probe")
	}
	for name, read := range map[string]func() error{
		"Get":  func() error { _, err := h.Get(ctx, "originals/x/front.jpg", store.GetOptions{}); return err },
		"Stat": func() error { _, err := h.Stat(ctx, "catalog.yaml"); return err },
	} {
		start := time.Now()
		err := read()
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) || took < storeDegradedReadTimeout || took > storeDegradedReadTimeout+5*time.Second {
			t.Errorf("%s on a degraded, black-holed store: %v after %v, want a deadline after %v", name, err, took, storeDegradedReadTimeout)
		}
	}
}
