package cluster

import (
	"testing"
	"time"
)

// A suspicion lasts the cool-down, then the peer owns its keys again.
func TestSuspicionCoolsDown(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newSuspects(10 * time.Second)
	s.now = func() time.Time { return now }
	s.mark("b:1")
	if !s.is("b:1") || s.count() != 1 || s.is("c:1") {
		t.Fatal("a marked peer is not suspected, or another is")
	}
	now = now.Add(9 * time.Second)
	if !s.is("b:1") {
		t.Error("suspicion ended before the cool-down")
	}
	now = now.Add(2 * time.Second)
	if s.is("b:1") || s.count() != 0 {
		t.Error("suspicion outlived the cool-down")
	}
	s.mark("b:1")
	s.clear("b:1")
	if s.is("b:1") {
		t.Error("a cleared peer is still suspected")
	}
}
