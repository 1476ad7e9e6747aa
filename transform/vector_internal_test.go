package transform

import (
	"sync"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// TestConcurrentResizesKeepTheHeapIntact: with liborc on and its compiles
// not serialised, four goroutines doing this crashed the process (heap
// corruption in liborc's code memory) in three 10 s runs of three. Startup
// follows the default config (liborc on); turned on, it must come on with
// the lock in effect (every compile and free counted by it), and the
// resizes must all come out at the size asked for (libvips rounds halves
// up).
func TestConcurrentResizesKeepTheHeapIntact(t *testing.T) {
	if vectorEnabled() != Defaults().VipsVector {
		t.Fatalf("libvips' liborc vector code is %v after Startup with the default config (VipsVector %v)", vectorEnabled(), Defaults().VipsVector)
	}
	useVector(true)
	defer useVector(Defaults().VipsVector)
	if !vectorEnabled() {
		t.Fatal("liborc stayed off: the probe resize did not go through the lock")
	}
	before := orcLockedCalls()
	stop := time.Now().Add(3 * time.Second)
	if testing.Short() {
		stop = time.Now().Add(500 * time.Millisecond)
	}
	var wg sync.WaitGroup
	done := make([]int, 4)
	for g := range done {
		wg.Go(func() {
			for time.Now().Before(stop) {
				img, err := vips.Black(64+g, 48)
				if err != nil {
					t.Error(err)
					return
				}
				err = img.ResizeWithVScale(0.5, 0.5, vips.KernelLanczos3)
				w, h := img.Width(), img.Height()
				img.Close()
				if err != nil || w != (65+g)/2 || h != 24 {
					t.Errorf("resize of %d×48 by ½ = %d×%d, %v", 64+g, w, h, err)
					return
				}
				done[g]++
			}
		})
	}
	wg.Wait()
	total := 0
	for g, n := range done {
		if n == 0 {
			t.Errorf("goroutine %d finished no resize", g)
		}
		total += n
	}
	// Each Lanczos3 reduce compiles and frees at least one program.
	if got := orcLockedCalls() - before; got < uint64(2*total) {
		t.Errorf("%d liborc compiles and frees went through the lock for %d resizes; want at least %d", got, total, 2*total)
	}
}
