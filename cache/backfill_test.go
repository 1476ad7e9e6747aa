package cache_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// newBlob is a real blob tier over a directory store.
func newBlob(t testing.TB, maxEntry int64) *cache.Blob {
	t.Helper()
	st, err := storefs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := cache.NewBlob(cache.BlobConfig{Store: st, MaxEntryBytes: maxEntry})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBackfillPurgeRace runs renders (whose back-fills write L1 and, in the
// background, L2) against purges, waits and a final Close, under -race.
// Each render stamps its entry with the purge epoch it began in; once
// Purge returns, neither tier may hold an entry from an earlier epoch.
func TestBackfillPurgeRace(t *testing.T) {
	l1, l2 := cache.NewMemory(1<<20), newBlob(t, 1<<20)
	tiered, err := cache.NewTiered(cache.TieredConfig{L1: l1, L2: l2, BackfillTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var epoch atomic.Int64
	render := func(context.Context) (*cache.Entry, error) {
		e := strconv.FormatInt(epoch.Load(), 10)
		return &cache.Entry{Data: []byte("v" + e), ETag: e}, nil
	}
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = cache.Key([]string{"a", "b"}[i%2], fmt.Sprint(i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := tiered.Get(ctx, keys[(g+i)%len(keys)], render); err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				if i%50 == 0 {
					tiered.Wait() // a waiter racing new back-fills
				}
			}
		})
	}
	for range 40 {
		before := epoch.Add(1)
		if _, err := tiered.Purge(ctx, "a"); err != nil {
			t.Fatalf("Purge: %v", err)
		}
		checkNoStale(t, l1, l2, keys, before)
		time.Sleep(time.Millisecond) // let the getters fill the tiers again
	}
	close(stop)
	wg.Wait()
	tiered.Close()
	checkNoStale(t, l1, l2, keys, epoch.Load())
	if st := tiered.Stats(0); st.Renders < 40 {
		t.Errorf("%d renders across 40 purges: the purges did not empty the tiers", st.Renders)
	}
}

// checkNoStale fails when a tier holds an entry of SKU a rendered before
// epoch since.
func checkNoStale(t *testing.T, l1, l2 cache.Tier, keys []string, since int64) {
	t.Helper()
	for _, tier := range []cache.Tier{l1, l2} {
		for _, k := range keys {
			e, err := tier.Get(context.Background(), k)
			if err != nil || k[0] != 'a' {
				continue
			}
			if v, _ := strconv.ParseInt(e.ETag, 10, 64); v < since {
				t.Fatalf("%s holds %s from epoch %d after the purge of epoch %d", tier.Name(), k, v, since)
			}
		}
	}
}

// TestCloseStopsBackfills: after Close, Get still answers but writes nothing
// back, and Wait returns at once.
func TestCloseStopsBackfills(t *testing.T) {
	l1, l2 := cache.NewMemory(1<<20), newBlob(t, 1<<20)
	tiered := newTiered(t, cache.TieredConfig{L1: l1, L2: l2, BackfillTimeout: time.Second})
	tiered.Close()
	render := func(context.Context) (*cache.Entry, error) { return &cache.Entry{Data: []byte("x")}, nil }
	if _, src, err := tiered.Get(context.Background(), "sku/k", render); err != nil || src != cache.FromRender {
		t.Fatalf("Get after Close: %s %v", src, err)
	}
	tiered.Wait()
	for _, tier := range []cache.Tier{l1, l2} {
		if _, err := tier.Get(context.Background(), "sku/k"); err == nil {
			t.Errorf("%s was back-filled after Close", tier.Name())
		}
	}
}
