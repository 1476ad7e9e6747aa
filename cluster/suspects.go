package cluster

import (
	"sync"
	"time"
)

// suspects are peers that failed or timed out recently. They own no keys
// until their cool-down ends or a probe finds them answering again, so a
// dead owner costs each key one timeout, not one per request.
type suspects struct {
	coolDown time.Duration
	now      func() time.Time

	mu    sync.RWMutex
	until map[string]time.Time
}

func newSuspects(coolDown time.Duration) *suspects {
	return &suspects{coolDown: coolDown, now: time.Now, until: map[string]time.Time{}}
}

func (s *suspects) mark(addr string) {
	s.mu.Lock()
	s.until[addr] = s.now().Add(s.coolDown)
	s.mu.Unlock()
}

func (s *suspects) clear(addr string) {
	s.mu.Lock()
	delete(s.until, addr)
	s.mu.Unlock()
}

func (s *suspects) is(addr string) bool {
	s.mu.RLock()
	t, ok := s.until[addr]
	s.mu.RUnlock()
	return ok && s.now().Before(t)
}

// count is how many peers are suspected now (the gauge).
func (s *suspects) count() int {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, t := range s.until {
		if now.Before(t) {
			n++
		}
	}
	return n
}
