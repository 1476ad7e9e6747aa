package cache_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// limitsSeen records the MaxBytes of every Get: the blob tier must never
// ask the store for an object without a bound.
type limitsSeen struct {
	store.Blob
	mu     sync.Mutex
	limits []int64
}

func (l *limitsSeen) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	l.mu.Lock()
	l.limits = append(l.limits, opts.MaxBytes)
	l.mu.Unlock()
	return l.Blob.Get(ctx, key, opts)
}

// counter reads one sample of a registered counter (0 when absent).
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestBlobOversized: an object under results/ larger than MaxEntryBytes is
// a miss (rendered again, counted, never read whole), and an entry too large
// to read back is not written.
func TestBlobOversized(t *testing.T) {
	const limit = 4 << 10
	fs, err := storefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	seen := &limitsSeen{Blob: fs}
	l2, err := cache.NewBlob(cache.BlobConfig{Store: seen, MaxEntryBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := fs.Put(ctx, cache.ResultsPrefix+"sku/big", bytes.Repeat([]byte("x"), 1<<20), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l2.Get(ctx, "sku/big"); !errors.Is(err, cache.ErrMiss) || !errors.Is(err, cache.ErrTooLarge) {
		t.Fatalf("Get of a 1 MiB object with a %d-byte limit = %v, want a miss wrapping ErrTooLarge", limit, err)
	}
	reg := prometheus.NewRegistry()
	tiered := newTiered(t, cache.TieredConfig{L2: l2, BackfillTimeout: time.Second, Registry: reg})
	small := func(context.Context) (*cache.Entry, error) { return &cache.Entry{Data: []byte("small")}, nil }
	if e, src, err := tiered.Get(ctx, "sku/big", small); err != nil || src != cache.FromRender || string(e.Data) != "small" {
		t.Fatalf("Get over an oversized L2 object = %v %s %v, want a render", e, src, err)
	}
	tiered.Wait()
	if n := counter(t, reg, "edgeshelf_cache_oversized_total", map[string]string{"tier": "l2", "op": "get"}); n != 1 {
		t.Errorf("oversized gets counted %v, want 1", n)
	}
	if e, err := l2.Get(ctx, "sku/big"); err != nil || string(e.Data) != "small" {
		t.Errorf("the render did not replace the oversized object: %v %v", e, err)
	}

	huge := func(context.Context) (*cache.Entry, error) { return &cache.Entry{Data: make([]byte, limit)}, nil }
	if _, src, err := tiered.Get(ctx, "sku/huge", huge); err != nil || src != cache.FromRender {
		t.Fatalf("rendering an entry over the L2 limit: %s %v", src, err)
	}
	tiered.Wait()
	if _, err := fs.Stat(ctx, cache.ResultsPrefix+"sku/huge"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an entry over the limit was written: Stat = %v", err)
	}
	if n := counter(t, reg, "edgeshelf_cache_oversized_total", map[string]string{"tier": "l2", "op": "set"}); n != 1 {
		t.Errorf("oversized sets counted %v, want 1", n)
	}
	if n := counter(t, reg, "edgeshelf_cache_errors_total", map[string]string{"tier": "l2", "op": "set"}); n != 0 {
		t.Errorf("a skipped oversized write counted as %v errors", n)
	}
	for _, m := range seen.limits {
		if m != limit {
			t.Fatalf("the store was asked for a result with MaxBytes %d, want %d", m, limit)
		}
	}
}

func TestConfigsValidate(t *testing.T) {
	fs, err := storefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]cache.BlobConfig{
		"no store": {MaxEntryBytes: 1},
		"no bound": {Store: fs},
		"negative": {Store: fs, MaxEntryBytes: -1},
	} {
		if _, err := cache.NewBlob(cfg); err == nil {
			t.Errorf("NewBlob(%s) accepted %+v", name, cfg)
		}
	}
	l2, err := cache.NewBlob(cache.BlobConfig{Store: fs, MaxEntryBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cache.NewTiered(cache.TieredConfig{L2: l2}); err == nil {
		t.Error("NewTiered accepted an L2 without a back-fill timeout")
	}
}

// TestMemoryStats: the console reads L1's fill through Tiered, with no
// knowledge of which tier is which.
func TestMemoryStats(t *testing.T) {
	none := newTiered(t, cache.TieredConfig{})
	if _, ok := none.MemoryStats(); ok {
		t.Error("MemoryStats without an L1 reported one")
	}
	l1 := cache.NewMemory(1 << 20)
	tiered := newTiered(t, cache.TieredConfig{L1: l1})
	render := func(context.Context) (*cache.Entry, error) { return &cache.Entry{Data: make([]byte, 1000)}, nil }
	if _, _, err := tiered.Get(context.Background(), "sku/k", render); err != nil {
		t.Fatal(err)
	}
	st, ok := tiered.MemoryStats()
	if !ok || st.Entries != 1 || st.Bytes != l1.Bytes() || st.Bytes < 1000 || st.Budget != 1<<20 {
		t.Errorf("MemoryStats = %+v, %v; want one entry of about 1000 bytes in a 1 MiB budget", st, ok)
	}
}
