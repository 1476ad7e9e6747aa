package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/store"
)

// Source says where a Get found its entry.
type Source string

// Sources, as reported in Server-Timing; also the tiers' metric labels.
const (
	FromL1     Source = "l1"
	FromL2     Source = "l2"
	FromRender Source = "render"
)

// RenderFunc produces an entry on a miss of every tier.
type RenderFunc func(ctx context.Context) (*Entry, error)

// TieredConfig says which tier plays which part. Either may be left out.
type TieredConfig struct {
	// L1 is the in-process memory tier: read first, without a flight
	// (Lookup), and back-filled synchronously.
	L1 *Memory
	// L2 is the shared tier behind it (a *Blob in production): back-filled
	// in the background. Leave it a nil interface, not a nil *Blob, for none.
	L2 Tier
	// BackfillTimeout bounds one asynchronous L2 write; needed with L2.
	BackfillTimeout time.Duration
	Log             *slog.Logger          // nil: discarded
	Registry        prometheus.Registerer // nil: metrics kept but not exported
	// AccessTrace, when set, is a file that gets one line per access (see
	// accessTrace), for the trace simulator in bench/sim.
	AccessTrace string
	// Peers, when set, fills L1 misses of keys another replica owns from
	// that owner (peer.go); HotBytes is the budget of local copies of the
	// hottest of them (0: none).
	Peers    Peers
	HotBytes int64
}

// Validate checks the configuration.
func (c TieredConfig) Validate() error {
	if c.L2 != nil && c.BackfillTimeout <= 0 {
		return fmt.Errorf("cache: BackfillTimeout %s: must be > 0 with an L2 tier", c.BackfillTimeout)
	}
	return nil
}

// Tiered is the read-through chain: L1, then L2, then render. Concurrent
// misses for one key share one flight, so a cold variant requested by 100
// edges at once is rendered once.
//
// Back-fill: a hit in L2 or a render is copied into L1 synchronously (cheap,
// in memory) and a render into L2 in the background (a store write must not
// delay the response; failures are logged and counted). Purge and Close
// order themselves against back-fills through bf.
type Tiered struct {
	l1      *Memory
	l2      Tier
	flights singleflight.Group
	log     *slog.Logger
	timeout time.Duration
	bf      backfills
	m       *metrics
	top     topKeys // the most requested keys, for the operator console
	trace   *accessTrace
	peers   Peers
	hot     *hotCache // nil without peers
}

// NewTiered builds the chain cfg describes.
func NewTiered(cfg TieredConfig) (*Tiered, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t := &Tiered{l1: cfg.L1, l2: cfg.L2, log: log, timeout: cfg.BackfillTimeout, m: newMetrics(cfg.Registry), peers: cfg.Peers}
	t.bf.init()
	var err error
	if cfg.Peers != nil {
		if t.hot, err = newHotCache(cfg.HotBytes); err != nil {
			return nil, err
		}
	}
	if t.trace, err = openAccessTrace(cfg.AccessTrace, cfg.Registry); err != nil {
		return nil, err
	}
	if t.l1 != nil {
		registerMemoryGauges(cfg.Registry, t.l1)
	}
	return t, nil
}

// New builds the tiers cfg asks for: L1 when L1Bytes > 0, and L2 over blob
// (bounded by cfg.L2MaxEntryBytes) when cfg.L2 is set.
func New(cfg Config, blob store.Blob, log *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Tiered, error) {
	tc := TieredConfig{BackfillTimeout: cfg.BackfillTimeout, Log: log, Registry: reg, AccessTrace: cfg.AccessTrace}
	if cfg.L1Bytes > 0 {
		l1, err := NewMemoryWith(int64(cfg.L1Bytes), cfg.Policy)
		if err != nil {
			return nil, err
		}
		tc.L1 = l1
	}
	if cfg.L2 {
		b, err := NewBlob(BlobConfig{Store: blob, MaxEntryBytes: int64(cfg.L2MaxEntryBytes)})
		if err != nil {
			return nil, err
		}
		tc.L2 = b
	}
	for _, o := range opts {
		o(&tc)
	}
	return NewTiered(tc)
}

// HasL2 reports whether the chain writes to a shared tier in the store:
// without one, nothing the origin derives (results, source pyramids) is
// written there.
func (t *Tiered) HasL2() bool { return t.l2 != nil }

// MemoryStats is the memory tier's fill; false without an L1.
func (t *Tiered) MemoryStats() (MemoryStats, bool) {
	if t.l1 == nil {
		return MemoryStats{}, false
	}
	return t.l1.Stats(), true
}

// Lookup is the L1 fast path: the entry when the memory tier holds it, with
// no context, flight or store involved.
func (t *Tiered) Lookup(key string) (*Entry, bool) {
	if t.l1 == nil {
		return nil, false
	}
	e, err := t.l1.Get(context.Background(), key)
	if err != nil {
		var ok bool
		if e, ok = t.hot.get(key); !ok { // a hot key another replica owns
			return nil, false
		}
	}
	t.m.hit(FromL1, e)
	t.top.note(key, FromL1, e)
	t.trace.record(key, e, FromL1)
	return e, true
}

// Get returns the entry for key from the first tier that has it, or renders
// it. A tier that fails (say, S3 is down) is treated as a miss for reading,
// but the first such error is returned if the render also fails, so the
// caller can tell an outage from bad input.
func (t *Tiered) Get(ctx context.Context, key string, render RenderFunc) (*Entry, Source, error) {
	// Fast path outside the flight: the L1 hit must cost one map lookup.
	if e, ok := t.Lookup(key); ok {
		return e, FromL1, nil
	}
	type result struct {
		e   *Entry
		src Source
	}
	// A flight begun before a purge must not answer requests made after it:
	// the generation is part of the flight's key.
	gen := t.bf.generation()
	ch := t.flights.DoChan(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		// The flight outlives any one caller: a cancelled first request must
		// not fail the others waiting on it.
		fctx := context.WithoutCancel(ctx)
		e, src, err := t.fill(fctx, key, gen, render)
		return result{e, src}, err
	})
	select {
	case r := <-ch:
		if r.Shared {
			t.m.shared.Inc()
		}
		if r.Err != nil {
			return nil, "", r.Err
		}
		res := r.Val.(result)
		t.trace.record(key, res.e, res.src) // a miss of L1: Lookup recorded the hits
		return res.e, res.src, nil
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

// fill runs inside the flight: re-check both tiers (another flight may have
// just filled one), then render.
func (t *Tiered) fill(ctx context.Context, key string, gen uint64, render RenderFunc) (*Entry, Source, error) {
	if t.l1 != nil {
		if e, _ := t.read(ctx, FromL1, t.l1, key); e != nil {
			return e, FromL1, nil
		}
	}
	if e, ok := t.fromPeer(ctx, key); ok {
		return e, FromPeer, nil
	}
	var tierErr error
	if t.l2 != nil {
		e, err := t.read(ctx, FromL2, t.l2, key)
		if e != nil {
			t.backfill(ctx, key, e, gen, false)
			return e, FromL2, nil
		}
		tierErr = err
	}
	e, err := render(ctx)
	if err != nil {
		return nil, "", errors.Join(err, tierErr)
	}
	t.m.renders.Inc()
	t.top.note(key, FromRender, e)
	t.backfill(ctx, key, e, gen, true)
	return e, FromRender, nil
}

// read asks one tier, counting and logging the outcome: the entry on a hit,
// nil and nil on a miss, nil and the error when the tier failed.
func (t *Tiered) read(ctx context.Context, src Source, tier Tier, key string) (*Entry, error) {
	name := string(src)
	start := time.Now()
	e, err := tier.Get(ctx, key)
	t.m.latency.WithLabelValues(name, "get").Observe(time.Since(start).Seconds())
	if err == nil {
		t.m.hit(src, e)
		t.top.note(key, src, e)
		return e, nil
	}
	t.m.misses.WithLabelValues(name).Inc()
	switch {
	case errors.Is(err, ErrTooLarge):
		// Someone wrote it, or the limit was lowered: worth an operator's look.
		t.m.oversized.WithLabelValues(name, "get").Inc()
		t.log.Warn("cache entry over the tier's size limit: treated as a miss", "tier", name, "key", key, "err", err)
		return nil, nil
	case errors.Is(err, ErrMiss):
		return nil, nil
	}
	t.m.errors.WithLabelValues(name, "get").Inc()
	t.log.Warn("cache tier read failed", "tier", name, "key", key, "err", err)
	return nil, fmt.Errorf("cache tier %s: %w", name, err)
}
