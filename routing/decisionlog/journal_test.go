package decisionlog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
)

func openLog(t *testing.T, blob *flaky, dir string) *decisionlog.Writer {
	t.Helper()
	w, err := decisionlog.Open(blob, decisionlog.Options{Dir: dir, Batch: 1000, GroupDelay: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// countIDs reads every decision back and counts each id.
func countIDs(t *testing.T, blob *flaky, at time.Time) map[string]int {
	t.Helper()
	recs, bad, err := decisionlog.ReadDecisions(context.Background(), blob, at.Add(-24*time.Hour), at.Add(24*time.Hour))
	if err != nil || bad != 0 {
		t.Fatalf("read back: %v, %d bad lines", err, bad)
	}
	n := map[string]int{}
	for _, r := range recs {
		n[r.DecisionID]++
	}
	return n
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCommittedDecisionsSurviveAProcessThatNeverShipped commits from many
// goroutines, closes the log without shipping (as a crash would leave it),
// and checks a new writer on the directory ships each decision once.
func TestCommittedDecisionsSurviveAProcessThatNeverShipped(t *testing.T) {
	blob, dir := newStore(t), t.TempDir()
	w := openLog(t, blob, dir)
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := w.Commit(context.Background(), rec(fmt.Sprintf("C%03d", i), at)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := w.Commit(context.Background(), rec("late", at)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := w.Commit(context.Background(), rec("after-close", at)); err == nil {
		t.Fatal("Commit after Close succeeded")
	}
	if got := countIDs(t, blob, at); len(got) != 0 {
		t.Fatalf("store has %d decisions before any flush, want 0", len(got))
	}

	w2 := openLog(t, blob, dir)
	defer w2.Close()
	if w2.Pending() != 201 {
		t.Fatalf("pending at start-up = %d, want 201", w2.Pending())
	}
	if err := w2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := countIDs(t, blob, at)
	for i := range 200 {
		if id := fmt.Sprintf("C%03d", i); got[id] != 1 {
			t.Errorf("%s stored %d times, want once", id, got[id])
		}
	}
	if got["late"] != 1 || len(got) != 201 {
		t.Errorf("stored %d decisions (late: %d), want 201", len(got), got["late"])
	}
	if files := segmentFiles(t, dir); len(files) != 0 || w2.Pending() != 0 {
		t.Errorf("after shipping: segments %v, pending %d", files, w2.Pending())
	}
}

// TestReplayAfterACrashBetweenPutAndDeleteRewritesTheSameObjects ships a
// segment, restores it as if the delete had been lost, and ships again.
func TestReplayAfterACrashBetweenPutAndDeleteRewritesTheSameObjects(t *testing.T) {
	ctx := context.Background()
	blob, dir := newStore(t), t.TempDir()
	w := openLog(t, blob, dir)
	day1 := time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Minute)
	for i, at := range []time.Time{day1, day2, day2} {
		if err := w.Commit(ctx, rec(fmt.Sprintf("R%d", i), at)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	files := segmentFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("segments %v, want 1", files)
	}
	saved, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	w2 := openLog(t, blob, dir)
	if err := w2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	w2.Close()
	keys := func() []string {
		var out []string
		for _, p := range []string{"decisions/2026-11-24/", "decisions/2026-11-25/"} {
			infos, _ := blob.List(ctx, p)
			for _, in := range infos {
				out = append(out, in.Key)
			}
		}
		return out
	}
	before := keys()
	if err := os.WriteFile(files[0], saved, 0o600); err != nil {
		t.Fatal(err)
	}
	w3 := openLog(t, blob, dir)
	defer w3.Close()
	if err := w3.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if after := keys(); strings.Join(after, ",") != strings.Join(before, ",") || len(after) != 2 {
		t.Fatalf("objects after the replay %v, before %v: want the same two", after, before)
	}
	for id, n := range countIDs(t, blob, day1) {
		if n != 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
}

// TestTornTailIsDroppedAndTheStoreOutageKeepsTheSegment: a line cut by a
// crash was never acknowledged and is not shipped; a failed Put keeps the
// segment for the next flush.
func TestTornTailIsDroppedAndTheStoreOutageKeepsTheSegment(t *testing.T) {
	ctx := context.Background()
	blob, dir := newStore(t), t.TempDir()
	w := openLog(t, blob, dir)
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if err := w.Commit(ctx, rec("T1", at)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	files := segmentFiles(t, dir)
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"decision_id":"T2","decided_at":"2026-11-24T12:0`)
	_ = f.Close()

	w2 := openLog(t, blob, dir)
	defer w2.Close()
	blob.down.Store(true)
	if err := w2.Flush(ctx); err == nil || !strings.Contains(err.Error(), "kept for the next flush") {
		t.Fatalf("Flush while down = %v", err)
	}
	if len(segmentFiles(t, dir)) != 1 {
		t.Fatal("the segment was deleted though the store was down")
	}
	blob.down.Store(false)
	if err := w2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := countIDs(t, blob, at); len(got) != 1 || got["T1"] != 1 {
		t.Fatalf("stored %v, want T1 once and no torn T2", got)
	}
}

// TestBatchSealsAndKicksAndAppendIsBestEffort: a full segment is shipped
// by Run without waiting for the timer; page views (Append) ride along.
func TestBatchSealsAndKicksAndAppendIsBestEffort(t *testing.T) {
	blob, dir := newStore(t), t.TempDir()
	w, err := decisionlog.Open(blob, decisionlog.Options{Dir: dir, Batch: 5, FlushEvery: time.Hour, GroupDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	w.Append(rec("P0", at))
	for i := range 5 {
		if err := w.Commit(ctx, rec(fmt.Sprintf("B%d", i), at)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(countIDs(t, blob, at)) < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := countIDs(t, blob, at); len(got) < 5 {
		t.Fatalf("a full batch was not shipped before the timer: %v", got)
	}
	cancel()
	<-done
	w.Close()
	if got := countIDs(t, blob, at); len(got) != 6 || got["P0"] != 1 {
		t.Fatalf("after stop: %v, want the 5 orders and the page view", got)
	}
}
