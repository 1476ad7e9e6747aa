package variant

import (
	"sync"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// TestAdmissionDecisions: a lone miss is deferred and remembered, the next
// miss of the same original and ETag builds; misses in flight together
// build at once; a new ETag (a new pyramid folder) starts over; expect
// makes the first miss build; admit 1 always builds, and so does an
// original whose pyramid pays at once; in-flight counts
// return to zero whatever the interleaving (-race).
func TestAdmissionDecisions(t *testing.T) {
	a := newAdmission(2)
	v1 := catalog.Original{Key: "originals/mug/front.jpg", ETag: `"1"`}
	v2 := catalog.Original{Key: v1.Key, ETag: `"2"`}
	lone := func(o catalog.Original) bool {
		done := a.start(o)
		defer done()
		return a.build(pyramidDir(o), o, false)
	}
	if lone(v1) {
		t.Error("a lone first miss built the pyramid")
	}
	if !lone(v1) {
		t.Error("the second miss did not build the pyramid")
	}
	if lone(v2) {
		t.Error("a new ETag's lone first miss built the pyramid")
	}

	burst := catalog.Original{Key: "originals/bag/front.jpg", ETag: `"1"`}
	doneA, doneB := a.start(burst), a.start(burst)
	if got := a.misses(burst.Key); got != 2 {
		t.Errorf("misses in flight = %d, want 2", got)
	}
	if !a.build(pyramidDir(burst), burst, false) {
		t.Error("two misses in flight together did not build the pyramid")
	}
	doneA()
	doneB()

	warmed := catalog.Original{Key: "originals/cup/front.jpg", ETag: `"1"`}
	a.expect(pyramidDir(warmed))
	if !lone(warmed) {
		t.Error("an expected image set's first miss did not build the pyramid")
	}
	if always := newAdmission(1); !always.build(pyramidDir(v1), v1, false) {
		t.Error("PYRAMID_ADMIT 1: the first miss did not build the pyramid")
	}
	heif := catalog.Original{Key: "originals/phone/front.heic", ETag: `"1"`}
	if !a.build(pyramidDir(heif), heif, true) {
		t.Error("an original whose pyramid pays at once did not build it on its first miss")
	}

	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			done := a.start(burst)
			a.build(pyramidDir(burst), burst, false)
			done()
		})
	}
	wg.Wait()
	if got := a.misses(burst.Key); got != 0 || len(a.inFlight) != 0 {
		t.Errorf("after every miss ended: %d in flight, %d originals tracked", got, len(a.inFlight))
	}
}
