package transform

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMallocTrimmerRateLimited: renders finishing within one interval trim
// once; the next interval trims again; 0 turns trimming off.
func TestMallocTrimmerRateLimited(t *testing.T) {
	var calls int
	tr := newMallocTrimmer(10 * time.Second)
	tr.trim = func() { calls++ }
	start := time.Unix(1_000_000, 0)
	for i := range 5 {
		tr.afterRender(start.Add(time.Duration(i) * time.Second))
	}
	if calls != 1 {
		t.Fatalf("5 renders within 10 s trimmed %d times, want 1", calls)
	}
	tr.afterRender(start.Add(10 * time.Second))
	if calls != 2 || tr.trims.Load() != 2 {
		t.Fatalf("a render 10 s after the first trim: %d trims (counted %d), want 2", calls, tr.trims.Load())
	}
	off := newMallocTrimmer(0)
	off.trim = func() { t.Fatal("trimmed with the interval at 0") }
	off.afterRender(start)
}

// TestRendersTrimMalloc: the real renderer trims after a render, with the
// real glibc call.
func TestRendersTrimMalloc(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.MallocTrim = time.Hour
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := r.Render(t.Context(), Request{Source: src, Spec: Spec{Width: 64, Format: JPEG}}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.trimmer.trims.Load() != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the trim runs after the answer
	}
	if n := r.trimmer.trims.Load(); n != 1 {
		t.Fatalf("two renders within the interval trimmed %d times, want 1", n)
	}
}
