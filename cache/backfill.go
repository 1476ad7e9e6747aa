package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// backfills tracks the tier writes that copy an entry upwards, so Purge,
// Wait and Close can order themselves against them.
//
// A sync.WaitGroup cannot do this: its Add may not race with Wait while
// the count is zero, and back-fills start from any request at any time.
// Here starting, finishing and waiting share one mutex.
//
// Invariants (under mu): running counts the back-fills between start and
// done; none starts while purging > 0 or after closed; and gen changes at
// both ends of every purge, so a fill that began before or during a purge
// (whose entry may predate it) finds its generation stale and does not
// write it back.
type backfills struct {
	mu      sync.Mutex
	idle    *sync.Cond // broadcast when running drops to zero
	running int
	purging int
	gen     uint64
	closed  bool
}

func (b *backfills) init() { b.idle = sync.NewCond(&b.mu) }

// generation is the purge generation a fill starts in.
func (b *backfills) generation() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gen
}

// start admits one back-fill of a fill begun in generation gen; every true
// must be followed by one done.
func (b *backfills) start(gen uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.purging > 0 || gen != b.gen {
		return false
	}
	b.running++
	return true
}

func (b *backfills) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running--
	if b.running == 0 {
		b.idle.Broadcast()
	}
}

// wait blocks until no back-fill is running.
func (b *backfills) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.running > 0 {
		b.idle.Wait()
	}
}

func (b *backfills) beginPurge() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.purging++
	b.gen++
}

func (b *backfills) endPurge() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.purging--
	b.gen++
}

func (b *backfills) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
}

// backfill copies an entry found in L2 (toL2 false) or rendered (toL2 true)
// into the tiers above it. A back-fill that bf refuses is dropped: the
// response still carries the entry, the next request fills the cache.
//
// The store write is started before the memory write: once a caller can
// see the entry in L1, Wait already covers the L2 write.
func (t *Tiered) backfill(ctx context.Context, key string, e *Entry, gen uint64, toL2 bool) {
	if toL2 && t.l2 != nil && t.bf.start(gen) {
		go func() {
			defer t.bf.done()
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
			defer cancel()
			t.write(bctx, FromL2, t.l2, key, e)
		}()
	}
	if t.l1 != nil && t.bf.start(gen) {
		// Inside start/done, so a purge beginning now waits for this write.
		_ = t.l1.Set(ctx, key, e) // memory Set cannot fail
		t.bf.done()
	}
}

// write sets an entry in a tier, counting and logging a failure.
func (t *Tiered) write(ctx context.Context, src Source, tier Tier, key string, e *Entry) {
	name := string(src)
	start := time.Now()
	err := tier.Set(ctx, key, e)
	t.m.latency.WithLabelValues(name, "set").Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
	case errors.Is(err, ErrTooLarge):
		t.m.oversized.WithLabelValues(name, "set").Inc()
		t.log.Warn("cache entry over the tier's size limit: not written", "tier", name, "key", key, "err", err)
	default:
		t.m.errors.WithLabelValues(name, "set").Inc()
		t.log.Warn("cache back-fill failed", "tier", name, "key", key, "err", err)
	}
}

// Purge drops every variant of a SKU from every tier and reports how many
// entries each tier removed ("l1", "l2"). Back-fills already running finish
// first, none starts until it returns, and fills begun before it never
// write back: nothing it purges comes back from a render or read that
// predates it.
func (t *Tiered) Purge(ctx context.Context, sku string) (map[string]int, error) {
	t.bf.beginPurge()
	defer t.bf.endPurge()
	t.bf.wait()
	out := map[string]int{}
	var errs []error
	purge := func(src Source, tier Tier) {
		n, err := tier.Purge(ctx, sku)
		out[string(src)] = n
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
		}
	}
	if t.l1 != nil {
		purge(FromL1, t.l1)
	}
	if t.l2 != nil {
		purge(FromL2, t.l2)
	}
	if t.hot != nil {
		out["hot"] = t.hot.purge(sku)
	}
	return out, errors.Join(errs...)
}

// Wait blocks until the back-fills running now have finished (tests, warm
// jobs). Requests served meanwhile may start more.
func (t *Tiered) Wait() { t.bf.wait() }

// Close stops new back-fills and waits for the running ones: the last step
// of a shutdown, after the server has stopped taking requests. Get still
// answers afterwards, without filling the cache.
func (t *Tiered) Close() {
	t.bf.close()
	t.bf.wait()
	if err := t.trace.close(); err != nil {
		t.log.Warn("access trace: writing failed", "err", err)
	}
}
