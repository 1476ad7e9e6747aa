package cluster

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Fetch outcomes, the values of edgeshelf_peer_fetches_total's label.
const (
	outcomeHit         = "hit"         // the owner answered the entry
	outcomeTimeout     = "timeout"     // no answer within EDGESHELF_PEER_TIMEOUT
	outcomeUnreachable = "unreachable" // no connection (the owner is down)
	outcomeRefused     = "refused"     // the owner answered 4xx: plan mismatch, bad input
	outcomeFailed      = "failed"      // the owner answered 5xx
	outcomeInvalid     = "invalid"     // the answer did not verify (wrong key, short body)
)

type metrics struct {
	fetches   *prometheus.CounterVec
	fallbacks prometheus.Counter
	latency   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, c *Cluster) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		fetches: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_peer_fetches_total",
			Help: "Fills asked of a key's owner, by outcome (hit, timeout, unreachable, refused, failed, invalid)."}, []string{"outcome"}),
		fallbacks: f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_peer_fallbacks_total",
			Help: "Peer fills that failed, so the key was filled locally (L2 or render)."}),
		latency: f.NewHistogram(prometheus.HistogramOpts{Name: "edgeshelf_peer_fetch_seconds",
			Help: "Time to a peer fill's answer, failures included.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
	}
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_peer_suspect", Help: "Peers suspected now (failed or timed out; skipped as owners)."},
		func() float64 { return float64(c.suspects.count()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_peer_members", Help: "Replicas in the membership, this one included."},
		func() float64 { return float64(len(c.members.current())) })
	for _, o := range []string{outcomeHit, outcomeTimeout, outcomeUnreachable, outcomeRefused, outcomeFailed, outcomeInvalid} {
		m.fetches.WithLabelValues(o) // exported at 0 from the start, for rate() and alerts
	}
	return m
}
