package harness

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

var _ store.Blob = (*DelayBlob)(nil)

// StoreCounters count the calls that reached a store through DelayBlobs.
type StoreCounters struct {
	Gets, Puts, Stats, Lists, Deletes atomic.Int64
}

// StoreCalls is a snapshot of StoreCounters.
type StoreCalls struct {
	Gets, Puts, Stats, Lists, Deletes int64
}

// Snapshot reads the counters.
func (c *StoreCounters) Snapshot() StoreCalls {
	return StoreCalls{c.Gets.Load(), c.Puts.Load(), c.Stats.Load(), c.Lists.Load(), c.Deletes.Load()}
}

// Sub is the calls made between two snapshots.
func (a StoreCalls) Sub(b StoreCalls) StoreCalls {
	return StoreCalls{a.Gets - b.Gets, a.Puts - b.Puts, a.Stats - b.Stats, a.Lists - b.Lists, a.Deletes - b.Deletes}
}

// DelayBlob is a store.Blob that sleeps Latency±Jitter (uniform) before
// every call, as a slow link to a regional S3 would, and counts the calls.
// The sleep honours the context, so request deadlines still apply.
type DelayBlob struct {
	Blob            store.Blob
	Latency, Jitter time.Duration
	Counters        *StoreCounters
}

// NewDelayBlob wraps b; counters may be shared by several wrappers.
func NewDelayBlob(b store.Blob, latency, jitter time.Duration, counters *StoreCounters) *DelayBlob {
	if counters == nil {
		counters = &StoreCounters{}
	}
	return &DelayBlob{Blob: b, Latency: latency, Jitter: jitter, Counters: counters}
}

func (d *DelayBlob) wait(ctx context.Context) error {
	delay := d.Latency
	if d.Jitter > 0 {
		delay += time.Duration(rand.Int64N(int64(2*d.Jitter)+1)) - d.Jitter
	}
	if delay <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Get delays, counts and reads.
func (d *DelayBlob) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	d.Counters.Gets.Add(1)
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	return d.Blob.Get(ctx, key, opts)
}

// Put delays, counts and writes.
func (d *DelayBlob) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	d.Counters.Puts.Add(1)
	if err := d.wait(ctx); err != nil {
		return store.Info{}, err
	}
	return d.Blob.Put(ctx, key, data, opts)
}

// Stat delays, counts and stats.
func (d *DelayBlob) Stat(ctx context.Context, key string) (store.Info, error) {
	d.Counters.Stats.Add(1)
	if err := d.wait(ctx); err != nil {
		return store.Info{}, err
	}
	return d.Blob.Stat(ctx, key)
}

// List delays, counts and lists.
func (d *DelayBlob) List(ctx context.Context, prefix string) ([]store.Info, error) {
	d.Counters.Lists.Add(1)
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	return d.Blob.List(ctx, prefix)
}

// Delete delays, counts and deletes.
func (d *DelayBlob) Delete(ctx context.Context, key string) error {
	d.Counters.Deletes.Add(1)
	if err := d.wait(ctx); err != nil {
		return err
	}
	return d.Blob.Delete(ctx, key)
}
