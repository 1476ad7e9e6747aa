package origin

import (
	"sync"
	"testing"
)

// TestGeneratedRequestIDsUnique: generated ids are well formed and never
// repeat, also when made concurrently.
func TestGeneratedRequestIDsUnique(t *testing.T) {
	const workers, each = 4, 2500
	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				ids <- newRequestID()
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if !wellFormedID(id) || len(id) < 20 || seen[id] {
			t.Fatalf("id %q: well formed %v, length %d, repeated %v", id, wellFormedID(id), len(id), seen[id])
		}
		seen[id] = true
	}
}
