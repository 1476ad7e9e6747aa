package transform

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// TestFullPoolShedsEarly: with the only render slot taken by a long render
// and two misses waiting (more than there are slots), one miss is refused
// with 503 render_busy and Retry-After once it has waited QueueWait, well
// before the long render ends; the other, then next in line, waits on and
// renders after it.
func TestFullPoolShedsEarly(t *testing.T) {
	r, src, long := busyRenderer(t, 20*time.Millisecond)
	type answer struct {
		err    error
		waited time.Duration
		during bool // answered while the long render still ran
	}
	answers := make(chan answer, 2)
	start := time.Now()
	for w := range 2 {
		go func() {
			_, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 100 + w, Format: JPEG}})
			answers <- answer{err, time.Since(start), len(long) == 0}
		}()
	}
	first, second := <-answers, <-answers
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	p, ok := problem.As(first.err)
	if !ok || p.Status != 503 || p.Code != "render_busy" || p.RetryAfter < 1 {
		t.Fatalf("first answer on a full pool: %v, want 503 render_busy with Retry-After", first.err)
	}
	if !first.during {
		t.Error("the refusal came after the long render ended: it waited for a slot, not for QueueWait")
	}
	if first.waited < r.cfg.QueueWait {
		t.Errorf("refused after %v: it did not wait its %v for a slot", first.waited, r.cfg.QueueWait)
	}
	if second.err != nil || second.during {
		t.Errorf("second miss: %v (answered during the long render: %v), want it rendered after the long render", second.err, second.during)
	}
}

// TestQueueWaitZeroWaits: QueueWait 0 keeps the old behaviour: two misses
// behind a long render on the only slot (one more than would be exempt
// from QueueWait) both wait and render.
func TestQueueWaitZeroWaits(t *testing.T) {
	r, src, long := busyRenderer(t, 0)
	errs := make(chan error, 2)
	for w := range 2 {
		go func() {
			_, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 100 + w, Format: JPEG}})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("miss behind a long render with QueueWait 0: %v, want it rendered", err)
		}
	}
	if err := <-long; err != nil {
		t.Fatal(err)
	}
}

// TestLongLineShedsAtOnce: when the renders ahead are predicted to take
// longer than QueueWait, a miss beyond the next in line is refused without
// waiting QueueWait at all; the one next in line still waits and renders.
func TestLongLineShedsAtOnce(t *testing.T) {
	src := hoodie(t)
	r := oneSlot(t, time.Hour)
	r.observe(10 * time.Hour) // renders are predicted to take 10 h
	r.queue <- struct{}{}     // a stand-in render holds the only slot
	r.slots <- struct{}{}
	next := make(chan error, 1)
	go func() {
		_, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 100, Format: JPEG}})
		next <- err
	}()
	for r.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	refused := make(chan error, 1)
	var loaded atomic.Bool
	go func() {
		_, err := r.Render(context.Background(), Request{Spec: Spec{Width: 101, Format: JPEG},
			Load: func(context.Context) ([]byte, string, error) { loaded.Store(true); return src, "hoodie", nil }})
		refused <- err
	}()
	select {
	case err := <-refused:
		if p, ok := problem.As(err); !ok || p.Code != "render_busy" || p.RetryAfter < 1 {
			t.Errorf("second in line: %v, want render_busy with Retry-After", err)
		}
		if loaded.Load() {
			t.Error("the refused miss read its original: a shed miss must not load")
		}
	case <-time.After(10 * time.Second):
		t.Error("second in line behind a predicted 10 h wait was not refused at once")
	}
	<-r.slots // the stand-in render ends
	<-r.queue
	if err := <-next; err != nil {
		t.Errorf("next in line: %v, want it rendered", err)
	}
}

func hoodie(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// oneSlot is a renderer with one render slot and the given QueueWait.
func oneSlot(t *testing.T, wait time.Duration) *Renderer {
	t.Helper()
	cfg := Defaults()
	cfg.Concurrency, cfg.Queue, cfg.QueueWait = 1, 8, wait
	// busyRenderer's 4000 px AVIF runs niced: beside a loaded suite it can
	// pass the shipped 20 s, and these tests are about the line, not that.
	cfg.RenderTimeout = 3 * time.Minute
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// busyRenderer is oneSlot with its slot taken by a long render, whose
// answer comes on long, and the source it renders.
func busyRenderer(t *testing.T, wait time.Duration) (r *Renderer, src []byte, long chan error) {
	t.Helper()
	src, r = hoodie(t), oneSlot(t, wait)
	long = make(chan error, 1)
	go func() {
		// An enlarging AVIF takes over 100 ms, far beyond the waits tested.
		_, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 4000, Format: AVIF}})
		long <- err
	}()
	for len(r.slots) < 1 { // the long render holds the only slot
		time.Sleep(time.Millisecond)
	}
	return r, src, long
}

// TestLoadInsideTheLine: a miss loads its original through Request.Load
// and renders it; a failed load is the miss's answer and gives its place
// in the line back.
func TestLoadInsideTheLine(t *testing.T) {
	src := hoodie(t)
	r := oneSlot(t, time.Second)
	res, err := r.Render(context.Background(), Request{Spec: Spec{Width: 120, Format: JPEG},
		Load: func(context.Context) ([]byte, string, error) { return src, "hoodie@1", nil }})
	if err != nil || res.Width != 120 {
		t.Fatalf("render with Load: %v, %+v; want a 120 px wide render", err, res)
	}
	gone := problem.New(503, "store_unavailable", "the store did not answer")
	for range cap(r.queue) + 1 { // more failures than places: each gives its place back
		_, err := r.Render(context.Background(), Request{Spec: Spec{Width: 120, Format: JPEG},
			Load: func(context.Context) ([]byte, string, error) { return nil, "", gone }})
		if p, ok := problem.As(err); !ok || p.Code != "store_unavailable" {
			t.Fatalf("failed load: %v, want the load's store_unavailable", err)
		}
	}
	if n := len(r.queue); n != 0 {
		t.Errorf("%d places in the line still taken after failed loads, want 0", n)
	}
}

// TestStalledOnlyWhenEverySlotIsHeld: Stalled says the workers are wedged
// only while every slot is held by a render older than the limit; a line
// of misses waiting on their originals (a hanging store) is no stall.
func TestStalledOnlyWhenEverySlotIsHeld(t *testing.T) {
	src := hoodie(t)
	r := oneSlot(t, time.Second)
	hang := make(chan struct{})
	loading := make(chan struct{}, 8)
	for range 4 { // misses whose store read hangs hold places, not slots
		go func() {
			_, _ = r.Render(context.Background(), Request{Spec: Spec{Width: 100, Format: JPEG},
				Load: func(context.Context) ([]byte, string, error) {
					loading <- struct{}{}
					<-hang
					return nil, "", context.Canceled
				}})
		}()
	}
	for range 4 {
		<-loading
	}
	if r.Stalled(0) {
		t.Error("Stalled with every miss waiting on the store and the slot free")
	}
	close(hang)
	long := make(chan error, 1)
	go func() {
		_, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 4000, Format: AVIF}})
		long <- err
	}()
	// The render records its start only once its goroutine runs at the
	// render nice value, which a loaded machine can delay well past the slot
	// being taken: wait for Stalled rather than a fixed time.
	for deadline := time.Now().Add(time.Minute); !r.Stalled(time.Millisecond); time.Sleep(time.Millisecond) {
		if len(long) > 0 || time.Now().After(deadline) {
			t.Fatal("not Stalled with the only slot held by one render for longer than the limit")
		}
	}
	if r.Stalled(time.Hour) {
		t.Error("Stalled before the render in the slot reached the limit")
	}
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	if r.Stalled(0) {
		t.Error("Stalled after the render ended")
	}
}

// TestPatientMissesWait: behind a long render on the only slot, misses
// marked Patient (the operator's console) wait their turn past QueueWait
// and past the predicted wait, and all render; the same line of ordinary
// misses sheds one (TestFullPoolShedsEarly).
func TestPatientMissesWait(t *testing.T) {
	r, src, long := busyRenderer(t, 20*time.Millisecond)
	r.observe(10 * time.Hour) // renders are predicted to take 10 h
	errs := make(chan error, 3)
	for w := range 3 {
		go func() {
			_, err := r.Render(Patient(context.Background()), Request{Source: src, Spec: Spec{Width: 100 + w, Format: JPEG}})
			errs <- err
		}()
	}
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("patient miss behind a long render: %v, want it rendered", err)
		}
	}
}
