package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

// Config configures the cache tiers.
type Config struct {
	L1Bytes bytesize.Size `env:"L1_BYTES" envDefault:"512MiB" help:"memory tier (L1) budget in bytes; 0 disables it"`
	L2      bool          `env:"L2" envDefault:"true" help:"keep rendered variants in the store under results/ (L2)"`
	// BackfillTimeout bounds the asynchronous L2 write after a render.
	BackfillTimeout time.Duration `env:"L2_BACKFILL_TIMEOUT" envDefault:"30s" help:"longest an asynchronous L2 write may take"`
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.L1Bytes < 0 {
		return fmt.Errorf("EDGESHELF_L1_BYTES: must not be negative")
	}
	if c.BackfillTimeout <= 0 {
		return fmt.Errorf("EDGESHELF_L2_BACKFILL_TIMEOUT: must be > 0")
	}
	return nil
}

// Source says where a Get found its entry.
type Source string

// Sources, as reported in Server-Timing.
const (
	FromL1     Source = "l1"
	FromL2     Source = "l2"
	FromRender Source = "render"
)

// RenderFunc produces an entry on a miss of every tier.
type RenderFunc func(ctx context.Context) (*Entry, error)

// Tiered is the read-through chain: L1, then L2, then render. Concurrent
// misses for one key share one flight, so a cold variant requested by 100
// edges at once is rendered once.
//
// Back-fill: a hit in a lower tier is copied into the tiers above it
// synchronously for L1 (cheap, in memory) and in the background for L2 (a
// store write must not delay the response; failures are logged and counted).
type Tiered struct {
	tiers   []Tier
	flights singleflight.Group
	log     *slog.Logger
	timeout time.Duration
	wg      sync.WaitGroup
	m       *metrics
	top     topKeys // the most requested keys, for the operator console
}

// NewTiered chains tiers fastest first. Any may be omitted (no L1, no L2).
func NewTiered(log *slog.Logger, reg prometheus.Registerer, backfillTimeout time.Duration, tiers ...Tier) *Tiered {
	t := &Tiered{tiers: tiers, log: log, timeout: backfillTimeout, m: newMetrics(reg)}
	for _, tier := range tiers {
		if m, ok := tier.(*Memory); ok {
			registerMemoryGauges(reg, m)
		}
	}
	return t
}

// Tiers are the chained tiers, fastest first.
func (t *Tiered) Tiers() []Tier { return t.tiers }

// Lookup is the L1 fast path: the entry when the memory tier holds it, with
// no context, flight or store involved.
func (t *Tiered) Lookup(key string) (*Entry, bool) {
	if len(t.tiers) == 0 || t.tiers[0].Name() != "l1" {
		return nil, false
	}
	e, err := t.tiers[0].Get(context.Background(), key)
	if err != nil {
		return nil, false
	}
	t.m.hit("l1", e)
	t.top.note(key, FromL1, e)
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
	ch := t.flights.DoChan(key, func() (any, error) {
		// The flight outlives any one caller: a cancelled first request must
		// not fail the others waiting on it.
		fctx := context.WithoutCancel(ctx)
		e, src, err := t.fill(fctx, key, render)
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
		return res.e, res.src, nil
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

// fill runs inside the flight: re-check every tier (another flight may have
// just filled one), then render.
func (t *Tiered) fill(ctx context.Context, key string, render RenderFunc) (*Entry, Source, error) {
	var tierErr error
	for i, tier := range t.tiers {
		start := time.Now()
		e, err := tier.Get(ctx, key)
		t.m.latency.WithLabelValues(tier.Name(), "get").Observe(time.Since(start).Seconds())
		if err == nil {
			t.m.hit(tier.Name(), e)
			t.top.note(key, Source(tier.Name()), e)
			t.backfill(ctx, key, e, t.tiers[:i])
			return e, Source(tier.Name()), nil
		}
		t.m.misses.WithLabelValues(tier.Name()).Inc()
		if !errors.Is(err, ErrMiss) {
			t.m.errors.WithLabelValues(tier.Name(), "get").Inc()
			t.log.Warn("cache tier read failed", "tier", tier.Name(), "key", key, "err", err)
			if tierErr == nil {
				tierErr = fmt.Errorf("cache tier %s: %w", tier.Name(), err)
			}
		}
	}
	e, err := render(ctx)
	if err != nil {
		return nil, "", errors.Join(err, tierErr)
	}
	t.m.renders.Inc()
	t.top.note(key, FromRender, e)
	t.backfill(ctx, key, e, t.tiers)
	return e, FromRender, nil
}

// backfill copies an entry into the given (faster) tiers.
//
// The store writes are started before the memory write: once a caller can
// see the entry in L1, Wait already covers the L2 write.
func (t *Tiered) backfill(ctx context.Context, key string, e *Entry, tiers []Tier) {
	var l1 Tier
	for _, tier := range tiers {
		if tier.Name() == "l1" {
			l1 = tier
			continue
		}
		t.wg.Add(1)
		go func(tier Tier) {
			defer t.wg.Done()
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
			defer cancel()
			start := time.Now()
			err := tier.Set(bctx, key, e)
			t.m.latency.WithLabelValues(tier.Name(), "set").Observe(time.Since(start).Seconds())
			if err != nil {
				t.m.errors.WithLabelValues(tier.Name(), "set").Inc()
				t.log.Warn("cache back-fill failed", "tier", tier.Name(), "key", key, "err", err)
			}
		}(tier)
	}
	if l1 != nil {
		_ = l1.Set(ctx, key, e) // memory Set cannot fail
	}
}

// Purge drops every variant of a SKU from every tier and reports how many
// entries each tier removed.
func (t *Tiered) Purge(ctx context.Context, sku string) (map[string]int, error) {
	t.Wait() // a back-fill still in flight would re-add what we purge
	out := map[string]int{}
	var errs []error
	for _, tier := range t.tiers {
		n, err := tier.Purge(ctx, sku)
		out[tier.Name()] = n
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", tier.Name(), err))
		}
	}
	return out, errors.Join(errs...)
}

// Wait blocks until background back-fills have finished (tests, shutdown).
func (t *Tiered) Wait() { t.wg.Wait() }
