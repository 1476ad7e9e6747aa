package cache_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
)

// slowTier is an in-memory L2 stand-in whose reads can fail: the fake sits
// above the Tier interface, as STYLE allows for pure logic tests.
type slowTier struct {
	mu   sync.Mutex
	m    map[string]*cache.Entry
	fail error
	sets atomic.Int32
}

func (s *slowTier) Name() string { return "l2" }
func (s *slowTier) Get(_ context.Context, k string) (*cache.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	if e, ok := s.m[k]; ok {
		return e, nil
	}
	return nil, cache.ErrMiss
}
func (s *slowTier) Set(_ context.Context, k string, e *cache.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets.Add(1)
	if s.fail != nil {
		return s.fail
	}
	s.m[k] = e
	return nil
}
func (s *slowTier) Purge(context.Context, string) (int, error) { return 0, nil }

func (s *slowTier) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// newTiered builds a chain whose back-fills end with the test.
func newTiered(t testing.TB, cfg cache.TieredConfig) *cache.Tiered {
	t.Helper()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	tiered, err := cache.NewTiered(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tiered.Close)
	return tiered
}

func TestTieredSingleflight(t *testing.T) {
	l1 := cache.NewMemory(1 << 20)
	l2 := &slowTier{m: map[string]*cache.Entry{}}
	tiered := newTiered(t, cache.TieredConfig{L1: l1, L2: l2, BackfillTimeout: time.Second})
	var renders atomic.Int32
	render := func(context.Context) (*cache.Entry, error) {
		renders.Add(1)
		time.Sleep(50 * time.Millisecond) // long enough for every caller to join the flight
		return &cache.Entry{Data: []byte("variant")}, nil
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, _, err := tiered.Get(context.Background(), "sku/k", render)
			if err != nil || string(e.Data) != "variant" {
				t.Errorf("%v %v", e, err)
			}
		}()
	}
	wg.Wait()
	tiered.Wait()
	if renders.Load() != 1 {
		t.Fatalf("%d renders, want 1", renders.Load())
	}
	if l2.sets.Load() != 1 {
		t.Fatalf("%d L2 writes, want 1", l2.sets.Load())
	}
	// L2 hit back-fills L1.
	l1b := cache.NewMemory(1 << 20)
	t2 := newTiered(t, cache.TieredConfig{L1: l1b, L2: l2, BackfillTimeout: time.Second})
	if _, src, _ := t2.Get(context.Background(), "sku/k", render); src != cache.FromL2 {
		t.Fatalf("source %s, want l2", src)
	}
	if _, ok := t2.Lookup("sku/k"); !ok {
		t.Fatal("the L2 hit was not back-filled into L1")
	}
	// A failing L2 is a miss for reading; its error surfaces only when the
	// render fails too; a failed back-fill never fails the response.
	down := errors.New("s3 down")
	l2.setFail(down)
	l1c := cache.NewMemory(1 << 20)
	t3 := newTiered(t, cache.TieredConfig{L1: l1c, L2: l2, BackfillTimeout: time.Second})
	if e, src, err := t3.Get(context.Background(), "sku/other", render); err != nil || src != cache.FromRender || e == nil {
		t.Fatalf("with L2 down: %v %s", err, src)
	}
	_, _, err := t3.Get(context.Background(), "sku/third", func(context.Context) (*cache.Entry, error) { return nil, errors.New("no source") })
	if err == nil || !errors.Is(err, down) {
		t.Fatalf("render and L2 both failing: %v, want both errors", err)
	}
	// A cancelled caller does not fail the others in its flight.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := t3.Get(ctx, "sku/fourth", render); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	// ... while the flight itself completes and fills L1 for the next caller.
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := t3.Lookup("sku/fourth"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the abandoned flight never filled L1")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t3.Wait()
}
