package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestAccessTraceRecordsEveryAccess: one line per Get, with the entry's
// accounted size and where it came from, written by the time Close returns.
func TestAccessTraceRecordsEveryAccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.trace")
	tc, err := NewTiered(TieredConfig{L1: NewMemory(1 << 20), AccessTrace: path, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]*Entry{
		"sku-a/1": {Data: make([]byte, 1000), ContentType: "image/jpeg", Tags: []string{"sku-sku-a"}},
		"sku-b/2": {Data: make([]byte, 2500), ContentType: "image/webp"},
	}
	order := []string{"sku-a/1", "sku-b/2", "sku-a/1", "sku-a/1", "sku-b/2"}
	want := []Source{FromRender, FromRender, FromL1, FromL1, FromL1}
	for _, k := range order {
		if _, _, err := tc.Get(context.Background(), k, func(context.Context) (*Entry, error) { return entries[k], nil }); err != nil {
			t.Fatal(err)
		}
	}
	tc.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != len(order) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(order), data)
	}
	var last int64
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 {
			t.Fatalf("line %q: want 4 fields", l)
		}
		at, _ := strconv.ParseInt(f[0], 10, 64)
		if at < last || at == 0 {
			t.Errorf("line %d: time %d not after %d", i, at, last)
		}
		last = at
		if f[1] != order[i] || f[2] != strconv.FormatInt(entries[order[i]].Size(), 10) || f[3] != string(want[i]) {
			t.Errorf("line %d = %q, want %s %d %s", i, l, order[i], entries[order[i]].Size(), want[i])
		}
	}
}

// TestAccessTraceDropsWhenTheWriterLags: a full queue costs the access its
// line, never the request its time, and the drop is counted.
func TestAccessTraceDropsWhenTheWriterLags(t *testing.T) {
	// No writer runs: the queue fills and stays full.
	tr := &accessTrace{ch: make(chan access, 2), dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "d"})}
	e := &Entry{Data: []byte("x")}
	for i := range 5 {
		tr.record(fmt.Sprint(i), e, FromL1)
	}
	if got := tr.Dropped(); got != 3 {
		t.Fatalf("dropped %d, want 3", got)
	}
}

// TestAccessTraceCloseWhileRecording: accesses racing Close neither panic
// nor block, and every line in the file is whole.
func TestAccessTraceCloseWhileRecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.trace")
	tr, err := openAccessTrace(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{Data: make([]byte, 10)}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				tr.record(fmt.Sprintf("s/%d-%d", g, i), e, FromL1)
			}
		})
	}
	if err := tr.close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := tr.close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if l != "" && len(strings.Fields(l)) != 4 {
			t.Fatalf("torn line %q", l)
		}
	}
}

// TestAccessTraceOff: no path, no trace, and a nil trace is safe to use.
func TestAccessTraceOff(t *testing.T) {
	tr, err := openAccessTrace("", nil)
	if err != nil || tr != nil {
		t.Fatalf("openAccessTrace(\"\") = %v, %v; want nil, nil", tr, err)
	}
	tr.record("k", &Entry{}, FromL1)
	if err := tr.close(); err != nil || tr.Dropped() != 0 {
		t.Fatal("nil trace misbehaved")
	}
}

// BenchmarkAccessTraceRecord is what the trace adds to an L1 hit: a clock
// read and a non-blocking send (the writer drains in the background).
func BenchmarkAccessTraceRecord(b *testing.B) {
	tr, err := openAccessTrace(filepath.Join(b.TempDir(), "access.trace"), nil)
	if err != nil {
		b.Fatal(err)
	}
	e := &Entry{Data: make([]byte, 4096), ContentType: "image/webp"}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tr.record("amber-oud-50ml/0123456789abcdef0123456789abcdef", e, FromL1)
		}
	})
	b.StopTimer()
	if err := tr.close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(tr.Dropped())/float64(b.N), "dropped/op")
}
