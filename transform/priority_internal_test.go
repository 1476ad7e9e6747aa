//go:build linux

package transform

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRenderThreadsNiced: after a render, every libvips worker thread runs
// at the configured nice value (that is where a render's pixel work
// happens), while the threads serving requests stay at the process's.
func TestRenderThreadsNiced(t *testing.T) {
	cfg := Defaults()
	if cfg.RenderNice == 0 {
		t.Fatal("RENDER_NICE defaults to 0: renders would compete with cache hits on equal terms")
	}
	src, err := os.ReadFile(filepath.Join("..", "demo", "originals", "label-hoodie", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(context.Background(), Request{Source: src, Spec: Spec{Width: 300, Format: WebP}}); err != nil {
		t.Fatal(err)
	}
	workers := 0
	for tid, th := range threads(t) {
		if th.comm == "libvips worker" {
			workers++
			if th.nice != cfg.RenderNice {
				t.Errorf("libvips worker %d runs at nice %d, want %d", tid, th.nice, cfg.RenderNice)
			}
		}
	}
	if workers == 0 {
		t.Fatal("no libvips worker thread found: the render ran elsewhere, and this test checks nothing")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if own := threads(t)[syscall.Gettid()]; own.nice != 0 {
		t.Errorf("the test's own thread runs at nice %d after a render, want 0", own.nice)
	}
}

type threadStat struct {
	comm string
	nice int
}

// threads reads each thread's name and nice value from /proc.
func threads(t *testing.T) map[int]threadStat {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]threadStat{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("/proc/self/task", e.Name(), "stat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		s := string(data)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		// After "pid (comm) ", nice is the 17th field (proc(5)'s 19th).
		fields := strings.Fields(s[closing+1:])
		nice, err := strconv.Atoi(fields[16])
		if err != nil {
			t.Fatalf("/proc/self/task/%s/stat: %v", e.Name(), err)
		}
		tid, _ := strconv.Atoi(e.Name())
		out[tid] = threadStat{comm: s[open+1 : closing], nice: nice}
	}
	return out
}

// TestSchedIdleThread: with RenderIdle the render thread moves to
// SCHED_IDLE and keeps the nice value; without it the policy stays normal.
// Threads it starts (libvips' workers) inherit the policy.
func TestSchedIdleThread(t *testing.T) {
	for _, idle := range []bool{false, true} {
		got := make(chan *unix.SchedAttr, 1)
		errs := make(chan error, 1)
		go func() {
			// The goroutine ends locked to its thread, so Go retires it.
			if err := lowerThreadPriority(10, idle); err != nil {
				errs <- err
				return
			}
			attr, err := unix.SchedGetAttr(0, 0)
			if err != nil {
				errs <- err
				return
			}
			got <- attr
		}()
		select {
		case err := <-errs:
			t.Fatalf("idle=%v: %v", idle, err)
		case attr := <-got:
			want := uint32(unix.SCHED_NORMAL)
			if idle {
				want = unix.SCHED_IDLE
			}
			if attr.Policy != want || attr.Nice != 10 {
				t.Errorf("idle=%v: policy %d nice %d, want policy %d nice 10", idle, attr.Policy, attr.Nice, want)
			}
		}
	}
}

// TestAddRenderProcs: the process has one P per render slot beyond the
// cores (Startup ran in TestMain), so renders in cgo calls hold none a
// request needs.
func TestAddRenderProcs(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS set in the environment: it wins")
	}
	cfg := Defaults()
	if got, want := runtime.GOMAXPROCS(0), runtime.NumCPU()+cfg.concurrency(); got != want {
		t.Errorf("GOMAXPROCS %d, want %d (cores + render slots)", got, want)
	}
}
