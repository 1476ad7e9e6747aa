package routing

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSwapUnderLoad: goroutines decide continuously while rule sets are
// swapped 50 times. No decision may fail, every rules_version must be one
// that was swapped in, and each decision must behave like its version
// (odd versions exclude eu-waw): a decision never mixes two rule sets.
func TestSwapUnderLoad(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	const swaps = 50
	sets := make([]*RuleSet, swaps+1)
	valid := map[string]bool{}
	for i := range sets {
		src := fmt.Sprintf("version: v%d\n", i)
		if i%2 == 1 {
			src += "rules:\n  - {kind: exclude, hub: eu-waw, reason: odd version}\n"
		}
		sets[i] = mustRules(t, cat, src)
		valid[sets[i].Version()] = true
	}
	inv := stocked(now, map[string]map[string]int{"eu-waw": {amber: 50}, "us-east": {amber: 50}})
	e := newEngine(t, sets[0], inv, now)

	var (
		stop      atomic.Bool
		decisions atomic.Int64
		wg        sync.WaitGroup
		mu        sync.Mutex
		failures  []string
		versions  = map[string]bool{}
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	order := Order{Lines: one(amber, 1), Destination: to("PL"), Locale: "pl-PL"}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := map[string]bool{}
			for !stop.Load() {
				d, err := e.Decide(context.Background(), order)
				decisions.Add(1)
				if err != nil {
					fail("Decide: %v", err)
					continue
				}
				if !valid[d.RulesVersion] {
					fail("rules_version %q was never swapped in", d.RulesVersion)
				}
				var n int
				fmt.Sscanf(d.RulesVersion, "v%d", &n)
				if want := map[bool]string{true: "central", false: "eu-waw"}[n%2 == 1]; d.Node.ID != want {
					fail("version %s chose %s, want %s", d.RulesVersion, d.Node.ID, want)
				}
				seen[d.RulesVersion] = true
			}
			mu.Lock()
			for v := range seen {
				versions[v] = true
			}
			mu.Unlock()
		}()
	}
	for i := 1; i <= swaps; i++ {
		time.Sleep(200 * time.Microsecond)
		if prev := e.Swap(sets[i]); prev != sets[i-1] {
			t.Errorf("Swap returned %s, want %s", prev.Version(), sets[i-1].Version())
		}
	}
	time.Sleep(time.Millisecond)
	stop.Store(true)
	wg.Wait()

	for _, f := range failures {
		t.Error(f)
	}
	if e.Rules() != sets[swaps] {
		t.Errorf("active set %s, want %s", e.Rules().Version(), sets[swaps].Version())
	}
	if decisions.Load() < swaps || len(versions) < 2 {
		t.Errorf("%d decisions over %d versions: the load did not overlap the swaps", decisions.Load(), len(versions))
	}
	t.Logf("%d decisions across %d rule versions", decisions.Load(), len(versions))
}

func TestSwapNilKeepsActive(t *testing.T) {
	cat := demoCatalog(t)
	rs, _ := DefaultRules(cat)
	e := newEngine(t, rs, NewStaticInventory(), time.Now())
	if e.Swap(nil) != rs || e.Rules() != rs {
		t.Error("Swap(nil) replaced the active rule set")
	}
}
