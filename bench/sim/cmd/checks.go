package main

import (
	"fmt"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// check is one PASS/FAIL line of issue #17's must-shows.
type check struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

func (c check) String() string {
	v := "FAIL"
	if c.Pass {
		v = "PASS"
	}
	return fmt.Sprintf("%s  %s: %s", v, c.Name, c.Detail)
}

// The thresholds.
const (
	maxVsLRU      = 0.85 // byte-miss ratio ≤ 0.85 × LRU's
	maxVsBelady   = 1.15 // ... and ≤ 1.15 × the offline reference's
	maxScanDrop   = 0.05 // hot-set hit ratio drop after a scan, in ratio points
	maxOriginDiff = 0.03 // |origin − simulator| hit ratio
)

// checkTraces are the traces the sweep checks name.
var checkTraces = []string{"zipf-0.8", "product-page-0.8"}

// sweepChecks: at 1, 5 and 10 % on zipf-0.8 and product-page-0.8, the new
// policy's byte-miss ratio against LRU's and Belady-Size's (PFOO-L's ratio
// shown for scale: no policy can reach 1.0 of it).
func sweepChecks(rs []sim.Result, newPolicy string) []check {
	find := func(trace, pol string, pct float64) *sim.Result {
		for i := range rs {
			if rs[i].Trace == trace && rs[i].Policy == pol && rs[i].BudgetPct == pct {
				return &rs[i]
			}
		}
		return nil
	}
	var out []check
	for _, tr := range checkTraces {
		for _, pct := range scanBudgets {
			n, l, b, p := find(tr, newPolicy, pct), find(tr, policy.LRUName, pct), find(tr, sim.BeladySize, pct), find(tr, sim.PFOOL, pct)
			st := find(tr, sim.StaticPopularity, pct)
			if n == nil || l == nil || b == nil {
				continue
			}
			name := fmt.Sprintf("%s %g%%", tr, pct)
			out = append(out, check{
				Name: name + " byte-miss vs LRU", Pass: n.ByteMiss <= maxVsLRU*l.ByteMiss,
				Detail: fmt.Sprintf("%s %.4f, lru %.4f: %.3f× (want ≤ %.2f×)", newPolicy, n.ByteMiss, l.ByteMiss, n.ByteMiss/l.ByteMiss, maxVsLRU),
			})
			detail := fmt.Sprintf("%s %.4f, belady-size %.4f: %.3f× (want ≤ %.2f×)", newPolicy, n.ByteMiss, b.ByteMiss, n.ByteMiss/b.ByteMiss, maxVsBelady)
			if p != nil {
				detail += fmt.Sprintf("; lower bound pfoo-l %.4f (%.3f×)", p.ByteMiss, n.ByteMiss/p.ByteMiss)
			}
			if st != nil {
				detail += fmt.Sprintf("; static-popularity %.4f is %.3f× belady-size", st.ByteMiss, st.ByteMiss/b.ByteMiss)
			}
			out = append(out, check{Name: name + " byte-miss vs belady-size", Pass: n.ByteMiss <= maxVsBelady*b.ByteMiss, Detail: detail})
		}
	}
	return out
}

// scanChecks: the new policy's hot-set hit ratio drops at most 5 points
// after each scan; LRU's drop alongside.
func scanChecks(rs []sim.Result, newPolicy string) []check {
	var out []check
	for _, n := range rs {
		if n.Policy != newPolicy {
			continue
		}
		lruDrop := "n/a"
		for _, l := range rs {
			if l.Policy == policy.LRUName && l.Trace == n.Trace && l.BudgetPct == n.BudgetPct {
				lruDrop = fmt.Sprintf("%.1f (%.3f → %.3f)", 100*(l.HotHitNoScan-l.HotHitScan), l.HotHitNoScan, l.HotHitScan)
			}
		}
		drop := n.HotHitNoScan - n.HotHitScan
		out = append(out, check{
			Name: fmt.Sprintf("%s %g%% hot-set drop", n.Trace, n.BudgetPct), Pass: drop <= maxScanDrop,
			Detail: fmt.Sprintf("%s %.1f points (%.3f → %.3f), want ≤ %.0f; lru %s", newPolicy, 100*drop, n.HotHitNoScan, n.HotHitScan, 100*maxScanDrop, lruDrop),
		})
	}
	return out
}

// vsChecks: the origin's L1 hit ratio within ±0.03 of the simulator's.
func vsChecks(rs []vsResult) []check {
	var out []check
	for _, r := range rs {
		out = append(out, check{
			Name: fmt.Sprintf("origin vs simulator %s %s %g%%", r.Trace, r.Policy, r.BudgetPct), Pass: abs(r.OriginHit-r.SimHit) <= maxOriginDiff,
			Detail: fmt.Sprintf("origin L1 hit ratio %.4f, simulator %.4f: diff %+.4f (want ±%.2f); %d requests; the origin's own trace replayed: %.4f; keys %d (origin) / %d (trace); %d entry sizes differing from the table %s",
				r.OriginHit, r.SimHit, r.OriginHit-r.SimHit, maxOriginDiff, r.Requests, r.RecordedHit, r.OriginKeys, r.TraceKeys, r.SizeMismatches, r.FirstMismatch),
		})
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
