package cache

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// topKeysTracked bounds the keys the top-keys counter follows: enough to
// rank a shop's busiest variants, small enough that a flood of distinct
// keys costs a bounded scan.
const topKeysTracked = 256

// TierStats is one tier's counters since start-up.
type TierStats struct {
	Name     string  `json:"name"`
	Hits     int64   `json:"hits"`
	Misses   int64   `json:"misses"`
	HitRatio float64 `json:"hit_ratio"` // hits / (hits + misses), 0 before any request
	HitBytes int64   `json:"hit_bytes"`
	Errors   int64   `json:"errors"`
}

// KeyStats is one of the most requested variants.
type KeyStats struct {
	Key string `json:"key"`
	SKU string `json:"sku"`
	// Requests counts hits and renders of the key; with the space-saving
	// count it may overstate a key that entered late by at most Error.
	Requests    int64    `json:"requests"`
	Error       int64    `json:"error"`
	Bytes       int      `json:"bytes"`
	ContentType string   `json:"content_type"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	Tags        []string `json:"tags"`
	LastTier    Source   `json:"last_tier"`
}

// Stats is what the operator console shows of the cache.
type Stats struct {
	Tiers   []TierStats `json:"tiers"`
	Renders int64       `json:"renders"`
	Shared  int64       `json:"singleflight_shared"`
	Top     []KeyStats  `json:"top"`
}

// topKeys counts requests per key with the space-saving algorithm: at most
// topKeysTracked counters; a new key replaces the smallest and inherits its
// count (kept as the error bound), so heavy hitters are never lost.
// The zero value is ready to use.
type topKeys struct {
	mu   sync.Mutex
	keys map[string]*KeyStats
}

func (t *topKeys) note(key string, src Source, e *Entry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k, ok := t.keys[key]
	if !ok {
		if t.keys == nil {
			t.keys = make(map[string]*KeyStats, topKeysTracked)
		}
		var floor int64
		if len(t.keys) >= topKeysTracked {
			var victim string
			for id, s := range t.keys {
				if victim == "" || s.Requests < floor {
					victim, floor = id, s.Requests
				}
			}
			delete(t.keys, victim)
		}
		k = &KeyStats{Key: key, SKU: skuOf(key), Requests: floor, Error: floor}
		t.keys[key] = k
	}
	k.Requests++
	k.Bytes, k.ContentType, k.Width, k.Height, k.Tags, k.LastTier = len(e.Data), e.ContentType, e.Width, e.Height, e.Tags, src
}

// top returns the n most requested keys, most first.
func (t *topKeys) top(n int) []KeyStats {
	t.mu.Lock()
	out := make([]KeyStats, 0, len(t.keys))
	for _, k := range t.keys {
		out = append(out, *k)
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].Key < out[j].Key
	})
	return out[:min(n, len(out))]
}

// Stats reports each tier's hits, misses and bytes since start-up, the
// renders, and the n most requested keys.
func (t *Tiered) Stats(n int) Stats {
	st := Stats{Renders: counterValue(t.m.renders), Shared: counterValue(t.m.shared), Top: t.top.top(n)}
	if t.l1 != nil {
		st.Tiers = append(st.Tiers, t.tierStats(FromL1))
	}
	if t.l2 != nil {
		st.Tiers = append(st.Tiers, t.tierStats(FromL2))
	}
	return st
}

func (t *Tiered) tierStats(src Source) TierStats {
	name := string(src)
	ts := TierStats{
		Name:     name,
		Hits:     counterValue(t.m.hits.WithLabelValues(name)),
		Misses:   counterValue(t.m.misses.WithLabelValues(name)),
		HitBytes: counterValue(t.m.hitBytes.WithLabelValues(name)),
		Errors:   counterValue(t.m.errors.WithLabelValues(name, "get")) + counterValue(t.m.errors.WithLabelValues(name, "set")),
	}
	if total := ts.Hits + ts.Misses; total > 0 {
		ts.HitRatio = float64(ts.Hits) / float64(total)
	}
	return ts
}

// counterValue reads a counter the metrics already keep, so the console and
// Prometheus never disagree.
func counterValue(c prometheus.Counter) int64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return int64(m.GetCounter().GetValue())
}
