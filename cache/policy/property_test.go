package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

const propBudget = 4096

// opRunner applies a random operation sequence to a policy and checks,
// after every operation, the byte invariant and that no stale value is
// ever served (a Get returns the last value Set under that key, or misses).
type opRunner struct {
	c      Cache[int]
	latest map[string]int // key -> last value Set (and not Removed)
	serial int
}

func newOpRunner(t testing.TB, name string) *opRunner {
	return &opRunner{c: build(t, name, propBudget), latest: map[string]int{}}
}

// apply decodes one operation from three bytes: kind, key, size.
func (r *opRunner) apply(kind, keyByte, sizeByte byte) error {
	key := fmt.Sprintf("sku%d/%d", keyByte%4, keyByte%32)
	switch kind % 4 {
	case 0, 1:
		size := int64(sizeByte) * 24 // 0 .. 6120: some over the budget
		r.serial++
		if r.c.Set(key, r.serial, size) {
			r.latest[key] = r.serial
		} else {
			delete(r.latest, key)
		}
	case 2:
		if v, ok := r.c.Get(key); ok && v != r.latest[key] {
			return fmt.Errorf("Get(%s) = %d, last Set %d", key, v, r.latest[key])
		}
	case 3:
		if keyByte&0x80 != 0 {
			r.purge(fmt.Sprintf("sku%d", keyByte%4))
		} else {
			r.c.Remove(key)
			delete(r.latest, key)
		}
	}
	return r.check()
}

// purge removes every key of a SKU, as cache.Memory does through its index.
func (r *opRunner) purge(sku string) {
	var keys []string
	r.c.(Ranger[int]).Range(func(key string, _ int, _ int64) bool {
		if len(key) > len(sku) && key[:len(sku)+1] == sku+"/" {
			keys = append(keys, key)
		}
		return true
	})
	for _, k := range keys {
		r.c.Remove(k)
		delete(r.latest, k)
	}
}

func (r *opRunner) check() error {
	var sum int64
	n := 0
	r.c.(Ranger[int]).Range(func(_ string, _ int, size int64) bool {
		sum += size
		n++
		return true
	})
	switch {
	case sum != r.c.Bytes():
		return fmt.Errorf("Bytes() = %d, entries hold %d", r.c.Bytes(), sum)
	case sum > propBudget:
		return fmt.Errorf("%d bytes held, budget %d", sum, propBudget)
	case n != r.c.Len():
		return fmt.Errorf("Len() = %d, %d entries held", r.c.Len(), n)
	}
	return nil
}

// TestPropertyRandomOps: long random operation sequences keep every
// policy's invariants.
func TestPropertyRandomOps(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(20) {
				rng := rand.New(rand.NewPCG(seed, 11)) //nolint:gosec // test load, not a secret
				r := newOpRunner(t, name)
				for i := range 5000 {
					if err := r.apply(byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))); err != nil {
						t.Fatalf("seed %d, op %d: %v", seed, i, err)
					}
				}
			}
		})
	}
}

// FuzzPolicyOps: any operation sequence keeps every policy's invariants.
func FuzzPolicyOps(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzPolicyOps: the shared seeds
	f.Fuzz(func(t *testing.T, ops []byte) {
		for _, name := range Names() {
			r := newOpRunner(t, name)
			for i := 0; i+2 < len(ops); i += 3 {
				if err := r.apply(ops[i], ops[i+1], ops[i+2]); err != nil {
					t.Fatalf("%s, op %d: %v", name, i/3, err)
				}
			}
		}
	})
}
