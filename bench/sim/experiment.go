package sim

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Budget is pct percent of the working set's bytes.
func Budget(workingSet int64, pct float64) int64 {
	return int64(math.Round(float64(workingSet) * pct / 100))
}

// Sweep replays t through every name at every budget (percent of the
// working set), the first warmup fraction of requests uncounted.
func Sweep(t *Trace, names []string, pcts []float64, warmup float64) ([]Result, error) {
	ws := t.WorkingSetBytes()
	var out []Result
	for _, pct := range pcts {
		for _, n := range names {
			r, err := Replay(t, n, Budget(ws, pct), Options{Warmup: int(warmup * float64(len(t.Reqs)))})
			if err != nil {
				return nil, err
			}
			r.BudgetPct = pct
			out = append(out, r)
		}
	}
	return out, nil
}

// ScanSpec is the scan experiment: a one-time scan of Factor × the budget
// (Every as in Scan) injected in the middle of a trace. The hot set's hit
// ratio over its first Window requests from the scan's start is compared
// with the same requests' in a replay without the scan: the same requests
// on both sides, so the difference is the scan's doing, not sampling noise.
// Window 0 is as many requests as the hot set has keys: about how long an
// LRU flushed by the scan takes to load the hot set again.
type ScanSpec struct {
	Factor float64
	Every  int
	Window int
	Seed   uint64
}

// ScanExperiment runs the scan experiment on base for every policy (not
// the offline references: the question is how an online policy recovers)
// at every budget. The hot set is the most requested keys of base that
// together fill the budget: what a cache of that size should keep.
func ScanExperiment(base *Trace, c *Catalog, names []string, pcts []float64, s ScanSpec) ([]Result, error) {
	ws := base.WorkingSetBytes()
	at := len(base.Reqs) / 2
	var out []Result
	for _, pct := range pcts {
		budget := Budget(ws, pct)
		hot := hotSet(base, budget)
		window := s.Window
		if window <= 0 {
			window = len(hot)
		}
		t, w := InjectScan(base, c, Scan{Bytes: int64(s.Factor * float64(budget)), At: at, Every: s.Every, Seed: s.Seed})
		t.Name = fmt.Sprintf("%s+scan%gx", base.Name, s.Factor)
		if s.Every > 0 {
			t.Name = fmt.Sprintf("%s+crawl%gx", base.Name, s.Factor)
		}
		for _, n := range names {
			if slices.Contains(Offline, n) {
				continue
			}
			without := hotMeter{hot: hot, reqs: base.Reqs, from: at, window: window}
			if _, err := Replay(base, n, budget, Options{OnAccess: without.note}); err != nil {
				return nil, err
			}
			with := hotMeter{hot: hot, reqs: t.Reqs, from: w.Start, window: window}
			r, err := Replay(t, n, budget, Options{Warmup: len(t.Reqs) / 10, OnAccess: with.note})
			if err != nil {
				return nil, err
			}
			r.BudgetPct = pct
			r.HotHitNoScan, r.HotHitScan = without.ratio(), with.ratio()
			out = append(out, r)
		}
	}
	return out, nil
}

// hotSet is the most requested keys of t whose sizes sum to at most budget.
func hotSet(t *Trace, budget int64) map[string]bool {
	type kc struct {
		key  string
		n    int
		size int64
	}
	idx := map[string]int{}
	var ks []kc
	for _, r := range t.Reqs {
		i, ok := idx[r.Key]
		if !ok {
			i = len(ks)
			idx[r.Key] = i
			ks = append(ks, kc{key: r.Key, size: r.Size})
		}
		ks[i].n++
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].n > ks[j].n })
	hot := map[string]bool{}
	var sum int64
	for _, k := range ks {
		if sum+k.size > budget {
			break
		}
		sum += k.size
		hot[k.key] = true
	}
	return hot
}

// hotMeter counts the hot set's hits over its first window requests from
// request index from on.
type hotMeter struct {
	hot          map[string]bool
	reqs         []Request
	from, window int
	n, hits      int
}

func (m *hotMeter) note(i int, hit bool) {
	if i < m.from || m.n >= m.window || !m.hot[m.reqs[i].Key] {
		return
	}
	m.n++
	if hit {
		m.hits++
	}
}

func (m *hotMeter) ratio() float64 {
	if m.n == 0 {
		return 0
	}
	return float64(m.hits) / float64(m.n)
}
