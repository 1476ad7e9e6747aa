package variant

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// admission decides which originals get a source pyramid. A pyramid pays
// only for an original that serves more than one variant: its build decodes
// at the scale of the top level and encodes the mezzanines (a cold 400 px
// JPEG miss that built one cost 77 CPU-ms against imgproxy's 33,
// bench/results/20261204-161800-peers), while a one-off image needs no more
// than the decode its one variant needs, the work imgproxy does. So a lone first
// miss renders straight from the original, and the miss that brings an
// original's misses to PyramidAdmit (the second, by default) builds it;
// a HEIF or AVIF original builds it on its first miss, which then costs
// less than a render from the original would (transform.BuildsAtOnce).
// Misses of other variants waiting while the first reads the original
// count: a burst of a new product's image set still builds the pyramid on
// its first read and decodes the original once.
type admission struct {
	admit int
	mu    sync.Mutex
	// inFlight counts the misses of each original (by store key) from the
	// start of their render, the wait for a render slot included, to its end.
	inFlight map[string]int
	// lone counts the misses rendered straight from an original, by its
	// pyramid's folder (the original's key, ETag and the versions).
	lone *lru.Cache[string, int]
}

// admissionMemory is how many originals' lone misses are remembered: an
// original forgotten before its second miss pays one more direct render.
const admissionMemory = 32768

func newAdmission(admit int) *admission {
	lone, _ := lru.New[string, int](admissionMemory)
	return &admission{admit: max(admit, 1), inFlight: map[string]int{}, lone: lone}
}

// start counts a miss of orig until the returned func is called.
func (a *admission) start(orig catalog.Original) (done func()) {
	a.mu.Lock()
	a.inFlight[orig.Key]++
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.inFlight[orig.Key]--; a.inFlight[orig.Key] <= 0 {
			delete(a.inFlight, orig.Key)
		}
	}
}

// misses is how many misses of the original stored at key are in flight.
func (a *admission) misses(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inFlight[key]
}

// build decides, once the original has been read, whether this miss builds
// the pyramid in dir: always for an original whose pyramid pays on its
// first miss (atOnce: transform.BuildsAtOnce). When it does not, the miss
// is remembered as a lone one.
func (a *admission) build(dir string, orig catalog.Original, atOnce bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	prior, _ := a.lone.Get(dir)
	if atOnce || prior+max(a.inFlight[orig.Key], 1) >= a.admit {
		return true
	}
	a.lone.Add(dir, prior+1)
	return false
}

// expect notes that several variants of the pyramid in dir are on their way
// (a warm-up's image set), so the first of them builds it.
func (a *admission) expect(dir string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	prior, _ := a.lone.Get(dir)
	a.lone.Add(dir, max(prior, a.admit-1))
}

// ExpectVariants tells the service that misses of several variants of orig
// are coming (a warm-up renders a hub's image set), so the first of them
// builds the original's pyramid instead of rendering alone.
func (s *Service) ExpectVariants(orig catalog.Original) {
	s.pyramids.admission.expect(pyramidDir(orig))
}

// MissesInFlight is how many variant misses of the original stored at key
// are rendering or waiting for a render slot.
func (s *Service) MissesInFlight(key string) int { return s.pyramids.admission.misses(key) }
