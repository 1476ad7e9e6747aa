package cache

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// accessTraceQueue is how many accesses may wait for the writer. At 50k
// requests/s that is ~80 ms of slack: enough to ride out a slow disk write,
// small enough (a few hundred KB) to never matter for memory.
const accessTraceQueue = 4096

// access is one line of the access trace.
type access struct {
	at   int64 // unix nanoseconds
	key  string
	size int64 // Entry.Size(): what the entry costs an L1 budget
	src  Source
}

// accessTrace appends one line per cache access, "unix_nanos key size
// source", to a file the trace simulator (bench/sim) replays, so operators
// can test eviction policies on their own traffic.
//
// The request path only does a non-blocking channel send: when the writer
// lags (a slow disk), the access is dropped and counted rather than making
// a request wait. A nil *accessTrace records nothing.
type accessTrace struct {
	ch      chan access
	stop    chan struct{}
	done    chan struct{}
	closed  atomic.Bool
	once    sync.Once
	dropped prometheus.Counter
	drops   atomic.Int64
	f       *os.File
	err     error // the first write error, reported by close
}

// openAccessTrace opens path for appending and starts its writer; "" is no
// trace (nil, nil).
func openAccessTrace(path string, reg prometheus.Registerer) (*accessTrace, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache: access trace: %w", err)
	}
	t := &accessTrace{
		ch: make(chan access, accessTraceQueue), stop: make(chan struct{}), done: make(chan struct{}), f: f,
		dropped: promauto.With(reg).NewCounter(prometheus.CounterOpts{Name: "edgeshelf_cache_access_trace_dropped_total",
			Help: "Accesses left out of the access trace because its writer lagged."}),
	}
	go t.write()
	return t, nil
}

// record queues one access; it never blocks.
func (t *accessTrace) record(key string, e *Entry, src Source) {
	if t == nil || e == nil {
		return
	}
	if t.closed.Load() {
		return
	}
	select {
	case t.ch <- access{at: time.Now().UnixNano(), key: key, size: e.Size(), src: src}:
	default:
		t.drops.Add(1)
		t.dropped.Inc()
	}
}

// write runs until close: it drains the queue into a buffered writer and
// flushes whenever the queue runs dry, so the file is at most one burst
// behind and a quiet origin leaves nothing unwritten.
func (t *accessTrace) write() {
	defer close(t.done)
	w := bufio.NewWriterSize(t.f, 64<<10)
	var line []byte
	put := func(a access) {
		line = strconv.AppendInt(line[:0], a.at, 10)
		line = append(line, ' ')
		line = append(line, a.key...)
		line = append(line, ' ')
		line = strconv.AppendInt(line, a.size, 10)
		line = append(line, ' ')
		line = append(line, a.src...)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil && t.err == nil {
			t.err = err
		}
	}
	flush := func() {
		if err := w.Flush(); err != nil && t.err == nil {
			t.err = err
		}
	}
	for {
		select {
		case a := <-t.ch:
			put(a)
			if len(t.ch) == 0 {
				flush()
			}
		case <-t.stop:
			for len(t.ch) > 0 {
				put(<-t.ch)
			}
			flush()
			return
		}
	}
}

// close stops recording, writes what is queued and closes the file. It
// may be called more than once.
func (t *accessTrace) close() error {
	if t == nil {
		return nil
	}
	t.once.Do(func() {
		t.closed.Store(true)
		close(t.stop)
		<-t.done
		if err := t.f.Close(); err != nil && t.err == nil {
			t.err = err
		}
	})
	return t.err
}

// Dropped counts accesses the trace left out because its writer lagged.
func (t *accessTrace) Dropped() int64 {
	if t == nil {
		return 0
	}
	return t.drops.Load()
}
