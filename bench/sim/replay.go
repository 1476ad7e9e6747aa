package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// The offline references, run by name next to the policies.
const (
	// BeladySize is Belady's furthest-next-use rule made size-aware by
	// bypass: an offline policy, so its miss ratio is one a cache of that
	// size can reach with perfect knowledge of the future (an upper bound
	// on the optimum's), not a lower bound.
	BeladySize = "belady-size"
	// PFOOL is the practical flow-based offline optimum's lower bound
	// (PFOO-L, Berger et al., SIGMETRICS 2018): a true lower bound on the
	// miss ratio of every cache of that size, online or offline.
	PFOOL = "pfoo-l"
	// StaticPopularity holds the trace's most requested keys that fit: the
	// best an online policy can do on an IRM trace knowing popularities.
	StaticPopularity = "static-popularity"
)

// Offline are the offline references' names.
var Offline = []string{StaticPopularity, BeladySize, PFOOL}

// Result is one replay of a trace at one budget.
type Result struct {
	Trace      string        `json:"trace"`
	Policy     string        `json:"policy"`
	Budget     int64         `json:"budget_bytes"`
	BudgetPct  float64       `json:"budget_pct"` // of the working set's bytes
	Requests   int           `json:"requests"`   // counted (after the warm-up)
	Bytes      int64         `json:"bytes"`      // requested, counted
	ObjectMiss float64       `json:"object_miss_ratio"`
	ByteMiss   float64       `json:"byte_miss_ratio"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	// The scan experiment: the hot set's hit ratio over its first requests
	// from the scan's start, in a replay without the scan and with it.
	HotHitNoScan float64 `json:"hot_hit_no_scan,omitempty"`
	HotHitScan   float64 `json:"hot_hit_scan,omitempty"`
}

// Options tune a replay.
type Options struct {
	// Warmup is how many of the first requests fill the cache without being
	// counted (they are replayed all the same).
	Warmup int
	// OnAccess, when set, is told each request's outcome (policies only).
	OnAccess func(i int, hit bool)
}

// Replay runs t through the named policy (or offline reference) with a
// budget of budget bytes: an access is a Get, a miss is followed by a Set.
func Replay(t *Trace, name string, budget int64, o Options) (Result, error) {
	start := time.Now()
	var c counts
	switch name {
	case BeladySize:
		c = beladySize(t.Reqs, budget, o.Warmup)
	case PFOOL:
		c = pfooL(t.Reqs, budget, o.Warmup)
	case StaticPopularity:
		c = staticPopularity(t.Reqs, budget, o.Warmup)
	default:
		p, err := policy.ByName[struct{}](name, budget)
		if err != nil {
			return Result{}, err
		}
		c = replayPolicy(t.Reqs, p, o)
	}
	r := Result{Trace: t.Name, Policy: name, Budget: budget, Requests: c.requests, Bytes: c.bytes, Elapsed: time.Since(start)}
	if c.requests > 0 {
		r.ObjectMiss = c.missObjects / float64(c.requests)
		r.ByteMiss = c.missBytes / float64(c.bytes)
	}
	return r, nil
}

// counts are a replay's tallies over the counted requests; misses are
// floats because PFOO-L's relaxation takes a fraction of one interval.
type counts struct {
	requests               int
	bytes                  int64
	missObjects, missBytes float64
}

func (c *counts) add(size int64, hit bool) {
	c.requests++
	c.bytes += size
	if !hit {
		c.missObjects++
		c.missBytes += float64(size)
	}
}

func replayPolicy(reqs []Request, p policy.Cache[struct{}], o Options) counts {
	var c counts
	for i, r := range reqs {
		_, hit := p.Get(r.Key)
		if !hit {
			p.Set(r.Key, struct{}{}, r.Size)
		}
		if o.OnAccess != nil {
			o.OnAccess(i, hit)
		}
		if i >= o.Warmup {
			c.add(r.Size, hit)
		}
	}
	return c
}

// Names checks a list of policy and reference names.
func Names(names []string) error {
	for _, n := range names {
		if !slices.Contains(policy.Names(), n) && !slices.Contains(Offline, n) {
			return fmt.Errorf("unknown policy %q (known: %v and the offline references %v)", n, policy.Names(), Offline)
		}
	}
	return nil
}
