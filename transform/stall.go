package transform

import (
	"sync"
	"time"
)

// running remembers when each render holding a slot started, so a health
// check can tell wedged workers (libvips cannot be interrupted: a stuck
// render holds its slot forever) from a busy line or a store that fails
// every read, without I/O and without a render of its own.
type running struct {
	mu     sync.Mutex
	next   uint64
	starts map[uint64]time.Time
}

// start records a render taking a slot; the returned func records its end.
func (r *running) start(now time.Time) (end func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.starts == nil {
		r.starts = make(map[uint64]time.Time)
	}
	id := r.next
	r.next++
	r.starts[id] = now
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.starts, id)
	}
}

// allOlderThan reports whether at least slots renders are running and every
// one of them started before cutoff.
func (r *running) allOlderThan(slots int, cutoff time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.starts) < slots {
		return false
	}
	for _, t := range r.starts {
		if !t.Before(cutoff) {
			return false
		}
	}
	return true
}

// Stalled reports whether every render slot has been held by the same
// render for longer than after: no render can start, however short the
// line. A full line of misses waiting on a slow store is not a stall.
func (r *Renderer) Stalled(after time.Duration) bool {
	return r.running.allOlderThan(cap(r.slots), time.Now().Add(-after))
}
