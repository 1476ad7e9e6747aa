//go:build linux

package transform

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestMallocArenasCapped: after renders on four goroutines at once (each on
// its own thread, so glibc would give each an arena), glibc has made no
// more arenas than Startup's default allows.
func TestMallocArenasCapped(t *testing.T) {
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("MALLOC_ARENA_MAX is set: glibc follows it, not the config")
	}
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.Concurrency, cfg.Queue = 4, 16
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				spec := Spec{Width: 100 + 10*g + i, Format: WebP}
				if _, err := r.Render(context.Background(), Request{Source: src, Spec: spec}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := appliedMallocArenas(); got != cfg.MallocArenas {
		t.Fatalf("the constructor capped malloc arenas at %d, the config's default is %d", got, cfg.MallocArenas)
	}
	if n := mallocArenas(); n == 0 || n > cfg.MallocArenas {
		t.Errorf("glibc made %d malloc arenas, want 1..%d", n, cfg.MallocArenas)
	}
}
