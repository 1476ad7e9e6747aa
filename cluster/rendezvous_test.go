package cluster

import (
	"fmt"
	"testing"
)

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("sku-%d/%016x", i%97, i*2654435761)
	}
	return out
}

// Adding a fourth replica moves about a quarter of the keys (each to the
// new one), and none between the old three.
func TestAddingAReplicaMovesAQuarter(t *testing.T) {
	three := []string{"10.0.0.1:8081", "10.0.0.2:8081", "10.0.0.3:8081"}
	four := append(append([]string{}, three...), "10.0.0.4:8081")
	ks := keys(10000)
	moved, elsewhere := 0, 0
	for _, k := range ks {
		before, after := Owner(k, three), Owner(k, four)
		if before != after {
			moved++
			if after != four[3] {
				elsewhere++
			}
		}
	}
	share := float64(moved) / float64(len(ks))
	t.Logf("adding a 4th replica moved %d of %d keys (%.1f %%)", moved, len(ks), 100*share)
	if share < 0.20 || share > 0.30 {
		t.Errorf("moved %.1f %% of keys, want 25 %% ± 5 %%", 100*share)
	}
	if elsewhere != 0 {
		t.Errorf("%d keys moved between old replicas", elsewhere)
	}
}

// Each of three replicas owns about a third, and the owner does not depend
// on the order members are listed in.
func TestOwnershipIsBalancedAndOrderFree(t *testing.T) {
	members := []string{"a:1", "b:1", "c:1"}
	reversed := []string{"c:1", "b:1", "a:1"}
	count := map[string]int{}
	for _, k := range keys(9000) {
		o := Owner(k, members)
		if o != Owner(k, reversed) {
			t.Fatalf("key %s: owner depends on the list's order", k)
		}
		count[o]++
	}
	for _, m := range members {
		if count[m] < 2700 || count[m] > 3300 {
			t.Errorf("%s owns %d of 9000 keys, want about 3000", m, count[m])
		}
	}
	if Owner("k", nil) != "" {
		t.Error("no members must give no owner")
	}
}
