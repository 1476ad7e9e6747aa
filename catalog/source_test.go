package catalog

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSourceReload(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, storeYAML, storeFiles)
	src, err := NewSource(ctx, s, Config{}, discardLog())
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	first := src.Current()
	if first == nil || len(first.SKUs) != 2 {
		t.Fatalf("Current() = %+v, want the 2-SKU catalog", first)
	}

	reload := func(t *testing.T, wantChanged, wantErr bool) {
		t.Helper()
		changed, err := src.Reload(ctx)
		if changed != wantChanged || (err != nil) != wantErr {
			t.Fatalf("Reload = %v, %v; want changed=%v, error=%v", changed, err, wantChanged, wantErr)
		}
		if last := src.LastError(); (last != nil) != wantErr || (wantErr && last.Error() != err.Error()) {
			t.Fatalf("LastError = %v, want the Reload error %v", last, err)
		}
	}

	t.Run("unchanged", func(t *testing.T) {
		reload(t, false, false)
		put(t, s, Key, storeYAML) // same bytes, same ETag
		reload(t, false, false)
		if src.Current() != first {
			t.Error("an unchanged store swapped the catalog")
		}
	})

	withHat := strings.Replace(storeYAML, "hubs:\n", "  - id: hat\n    views: [front]\nhubs:\n", 1)
	t.Run("new catalog.yaml", func(t *testing.T) {
		put(t, s, "originals/hat/front.jpg", "hat")
		reload(t, true, false) // the listing changed
		put(t, s, Key, withHat)
		reload(t, true, false)
		if _, ok := src.Current().SKU("hat"); !ok {
			t.Error("the reloaded catalog has no SKU hat")
		}
		if _, ok := first.SKU("hat"); ok {
			t.Error("the old catalog was mutated")
		}
		reload(t, false, false)
	})

	t.Run("broken catalog keeps the last good one", func(t *testing.T) {
		good := src.Current()
		put(t, s, Key, withHat+"colour: red\n")
		reload(t, false, true)
		var ve *ValidationError
		if !errors.As(src.LastError(), &ve) || ve.Problems[0].Path != "colour" {
			t.Errorf("LastError = %v, want a ValidationError at colour", src.LastError())
		}
		if src.Current() != good {
			t.Error("a broken catalog replaced the good one")
		}
		reload(t, false, true) // still broken: still reported
		// Back to the exact good content: nothing to swap, the error clears.
		put(t, s, Key, withHat)
		reload(t, false, false)
		if src.Current() != good {
			t.Error("reverting to the good catalog swapped it")
		}
	})

	t.Run("missing original, then added", func(t *testing.T) {
		good := src.Current()
		withCap := strings.Replace(withHat, "hubs:\n", "  - id: cap\n    views: [front]\nhubs:\n", 1)
		put(t, s, Key, withCap)
		reload(t, false, true)
		if src.Current() != good {
			t.Error("a catalog with a missing original replaced the good one")
		}
		put(t, s, "originals/cap/front.png", "cap")
		reload(t, true, false)
		if o, err := src.Current().Resolve("cap", "front", ""); err != nil || o.Key != "originals/cap/front.png" {
			t.Errorf("Resolve(cap, front) = %+v, %v", o, err)
		}
	})

	t.Run("new hub photo", func(t *testing.T) {
		if o, _ := src.Current().Resolve("tee", "front", "us-east"); o.Hub != "" {
			t.Fatalf("us-east already has a photo: %+v", o)
		}
		put(t, s, "originals/tee/front@us-east.jpg", "tee front at us-east")
		reload(t, true, false)
		o, err := src.Current().Resolve("tee", "front", "us-east")
		if err != nil || o.Hub != "us-east" || o.Key != "originals/tee/front@us-east.jpg" {
			t.Errorf("Resolve(tee, front, us-east) = %+v, %v; want the new photo", o, err)
		}
	})

	t.Run("catalog deleted", func(t *testing.T) {
		good := src.Current()
		if err := s.Delete(ctx, Key); err != nil {
			t.Fatal(err)
		}
		reload(t, false, true)
		if !errors.Is(src.LastError(), store.ErrNotFound) {
			t.Errorf("LastError = %v, want store.ErrNotFound", src.LastError())
		}
		if src.Current() != good {
			t.Error("a deleted catalog replaced the good one")
		}
	})
}

func TestNewSourceFails(t *testing.T) {
	s := newStore(t, storeYAML+"colour: red\n", storeFiles)
	src, err := NewSource(context.Background(), s, Config{}, discardLog())
	var ve *ValidationError
	if src != nil || !errors.As(err, &ve) {
		t.Fatalf("NewSource = %v, %v; want nil and a ValidationError", src, err)
	}
}

func TestSourceRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStore(t, storeYAML, storeFiles)
	src, err := NewSource(ctx, s, Config{Poll: 10 * time.Millisecond}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { src.Run(ctx); close(done) }()

	// Readers hammer Current while Run swaps: -race checks the hand-over,
	// and no reader may ever see nil or a catalog without its indexes.
	var readers sync.WaitGroup
	stop := make(chan struct{})
	var bad sync.Once
	var badMsg string
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := src.Current()
				if c == nil {
					bad.Do(func() { badMsg = "Current() returned nil" })
					return
				}
				if _, err := c.Resolve("tee", "front", ""); err != nil {
					bad.Do(func() { badMsg = "Resolve on a live catalog: " + err.Error() })
					return
				}
			}
		})
	}

	waitFor := func(what string, cond func(*Catalog) bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for !cond(src.Current()) {
			if time.Now().After(deadline) {
				t.Fatalf("Run did not pick up %s within 2s (LastError: %v)", what, src.LastError())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	put(t, s, Key, strings.Replace(storeYAML, "title: Mug", "title: Mug v2", 1))
	waitFor("a new catalog.yaml", func(c *Catalog) bool {
		m, _ := c.SKU("mug")
		return m.Title == "Mug v2"
	})

	put(t, s, "originals/tee/front@us-east.jpg", "tee front at us-east")
	waitFor("a new hub photo", func(c *Catalog) bool {
		o, _ := c.Resolve("tee", "front", "us-east")
		return o.Hub == "us-east"
	})

	// A broken catalog is reported, never swapped in.
	before := src.Current()
	put(t, s, Key, "skus: [}\n")
	deadline := time.Now().Add(2 * time.Second)
	for src.LastError() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Run did not report the broken catalog within 2s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if src.Current() != before {
		t.Error("Run swapped in a broken catalog")
	}

	close(stop)
	readers.Wait()
	if badMsg != "" {
		t.Error(badMsg)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestSourceRunDisabled(t *testing.T) {
	src, err := NewSource(context.Background(), newStore(t, storeYAML, storeFiles), Config{}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { src.Run(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run with Poll 0 did not return at once")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{Poll: -time.Second}).Validate(); err == nil || !strings.Contains(err.Error(), "EDGESHELF_CATALOG_POLL") {
		t.Errorf("Validate(-1s) = %v, want an error naming EDGESHELF_CATALOG_POLL", err)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("Validate(0) = %v, want nil (polling off)", err)
	}
}

func TestNewStatic(t *testing.T) {
	c, err := Parse("base.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	src := NewStatic(c)
	if src.Current() != c || src.LastError() != nil {
		t.Errorf("NewStatic: Current %p LastError %v, want %p and nil", src.Current(), src.LastError(), c)
	}
}
