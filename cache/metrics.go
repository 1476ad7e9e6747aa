package cache

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	hits, misses, hitBytes, errors *prometheus.CounterVec
	oversized                      *prometheus.CounterVec
	latency                        *prometheus.HistogramVec
	renders, shared                prometheus.Counter
}

// newMetrics registers the cache metrics; a nil registerer keeps them
// unregistered (tests, tools).
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		hits:     f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_cache_hits_total", Help: "Cache hits by tier."}, []string{"tier"}),
		hitBytes: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_cache_hit_bytes_total", Help: "Bytes served from each tier."}, []string{"tier"}),
		misses:   f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_cache_misses_total", Help: "Cache misses by tier."}, []string{"tier"}),
		errors:   f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_cache_errors_total", Help: "Tier operations that failed (not misses), by tier and op."}, []string{"tier", "op"}),
		oversized: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_cache_oversized_total",
			Help: "Entries over a tier's size limit, by tier and op: a get is a miss, a set is skipped."}, []string{"tier", "op"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{Name: "edgeshelf_cache_op_seconds", Help: "Tier operation latency.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"tier", "op"}),
		renders: f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_cache_renders_total", Help: "Renders run because every tier missed."}),
		shared:  f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_cache_singleflight_shared_total", Help: "Requests that shared another request's in-flight fill."}),
	}
}

func (m *metrics) hit(tier Source, e *Entry) {
	m.hits.WithLabelValues(string(tier)).Inc()
	m.hitBytes.WithLabelValues(string(tier)).Add(float64(len(e.Data)))
}

// registerMemoryGauges exports the memory tier's accounted bytes, entries
// and evictions, read at scrape time.
func registerMemoryGauges(reg prometheus.Registerer, m *Memory) {
	f := promauto.With(reg)
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_cache_l1_bytes", Help: "Bytes held by the memory tier (L1)."},
		func() float64 { return float64(m.Bytes()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_cache_l1_budget_bytes", Help: "The memory tier's byte budget."},
		func() float64 { return float64(m.Budget()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_cache_l1_entries", Help: "Entries in the memory tier."},
		func() float64 { return float64(m.Len()) })
	f.NewCounterFunc(prometheus.CounterOpts{Name: "edgeshelf_cache_l1_evictions_total", Help: "Entries the memory tier evicted to keep its budget."},
		func() float64 { return float64(m.Evictions()) })
	registerShadowGauges(reg, m)
}

// registerShadowGauges exports the shadow's estimates at ½×, 1× and 2× the
// L1 budget, so an operator can size L1 from live traffic (1× is the
// calibration: compare it with the real L1 hit ratio).
func registerShadowGauges(reg prometheus.Registerer, m *Memory) {
	f := promauto.With(reg)
	for i, sc := range shadowScales {
		labels := prometheus.Labels{"budget": sc.label}
		estimate := func() ShadowEstimate { return m.shadow.estimates()[i] }
		f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_l1_shadow_hit_ratio", ConstLabels: labels,
			Help: "Estimated L1 hit ratio (requests) at a multiple of its budget, from a sampled shadow of live traffic."},
			func() float64 { return estimate().HitRatio })
		f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_l1_shadow_byte_hit_ratio", ConstLabels: labels,
			Help: "Estimated L1 byte hit ratio at a multiple of its budget, from a sampled shadow of live traffic."},
			func() float64 { return estimate().ByteHitRatio })
		f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_l1_shadow_budget_bytes", ConstLabels: labels,
			Help: "The budget each shadow estimate stands for."},
			func() float64 { return float64(estimate().BudgetBytes) })
	}
}
