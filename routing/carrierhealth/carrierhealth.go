// Package carrierhealth keeps one circuit breaker per carrier
// (sony/gobreaker), fed by HTTP health probes of the carriers' health URLs
// and by operators' reports (failed pickups, API errors). The routing
// engine reads the breaker states through routing.CarrierHealth: an open
// carrier is not offered, and a hub whose carriers are all open is skipped.
//
// Breakers are per replica: each replica probes the carriers itself, and a
// report reaches the replica it is posted to.
package carrierhealth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
)

// Config tunes the breakers and the probes.
type Config struct {
	ProbeInterval time.Duration `env:"CARRIER_PROBE_INTERVAL" envDefault:"15s" help:"how often each carrier's health_url is probed (0 turns probing off)"`
	ProbeTimeout  time.Duration `env:"CARRIER_PROBE_TIMEOUT" envDefault:"3s" help:"a health probe slower than this counts as a failure"`
	// Failures opens a breaker: one failed probe or pickup is noise, a run
	// of them is an outage.
	Failures int `env:"CARRIER_FAILURES" envDefault:"3" help:"consecutive failures (probes or reports) that open a carrier's circuit breaker"`
	// OpenFor is how long traffic stays off a carrier before it is tried
	// again (half-open).
	OpenFor time.Duration `env:"CARRIER_OPEN_FOR" envDefault:"60s" help:"how long an open carrier breaker waits before trying the carrier again (half-open)"`
	// Recovery is how many successes in a row close a half-open breaker.
	Recovery int `env:"CARRIER_RECOVERY" envDefault:"2" help:"successes in a row (probes or reports) that close a half-open carrier breaker"`
}

// DefaultConfig is the configuration the envDefault tags describe.
func DefaultConfig() Config {
	return Config{ProbeInterval: 15 * time.Second, ProbeTimeout: 3 * time.Second, Failures: 3, OpenFor: time.Minute, Recovery: 2}
}

// Validate checks the configuration; errors name the environment key.
func (c Config) Validate() error {
	switch {
	case c.ProbeInterval < 0:
		return fmt.Errorf("EDGESHELF_CARRIER_PROBE_INTERVAL: must be ≥ 0, got %s", c.ProbeInterval)
	case c.ProbeTimeout <= 0:
		return fmt.Errorf("EDGESHELF_CARRIER_PROBE_TIMEOUT: must be positive, got %s", c.ProbeTimeout)
	case c.Failures < 1 || c.Failures > 1000:
		return fmt.Errorf("EDGESHELF_CARRIER_FAILURES: must be within 1..1000, got %d", c.Failures)
	case c.OpenFor <= 0:
		return fmt.Errorf("EDGESHELF_CARRIER_OPEN_FOR: must be positive, got %s", c.OpenFor)
	case c.Recovery < 1 || c.Recovery > 1000:
		return fmt.Errorf("EDGESHELF_CARRIER_RECOVERY: must be within 1..1000, got %d", c.Recovery)
	}
	return nil
}

// Outcome of a probe or report.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// ErrUnknownCarrier is returned for a carrier the catalog does not list.
var ErrUnknownCarrier = errors.New("carrierhealth: unknown carrier")

// Event is the last thing that happened to a carrier's breaker.
type Event struct {
	At      time.Time `json:"at"`
	Source  string    `json:"source"` // probe or report
	Outcome string    `json:"outcome"`
	Detail  string    `json:"detail,omitempty"`
}

// Status is one carrier as GET /admin/carriers shows it.
type Status struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Breaker   string `json:"breaker"`
	HealthURL string `json:"health_url,omitempty"`
	// ConsecutiveFailures and ConsecutiveSuccesses are the breaker's
	// counts in its current state.
	ConsecutiveFailures  uint32    `json:"consecutive_failures"`
	ConsecutiveSuccesses uint32    `json:"consecutive_successes"`
	Since                time.Time `json:"since"` // when the breaker entered its state
	Last                 *Event    `json:"last,omitempty"`
}

type carrier struct {
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
	mu sync.Mutex
	// since and last are guarded by mu.
	since time.Time
	last  *Event
}

// Monitor holds the breakers. It is safe for concurrent use.
type Monitor struct {
	cfg    Config
	cat    *catalog.Source
	client *http.Client
	log    *slog.Logger
	now    func() time.Time

	mu       sync.Mutex
	carriers map[string]*carrier

	state   *prometheus.GaugeVec
	outcome *prometheus.CounterVec
}

var _ routing.CarrierHealth = (*Monitor)(nil)

// New builds a monitor over the catalog's carriers. reg may be nil.
func New(cfg Config, cat *catalog.Source, reg *prometheus.Registry, log *slog.Logger) (*Monitor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	m := &Monitor{
		cfg: cfg, cat: cat, log: log, now: time.Now,
		// Probes never follow redirects off the health URL and never keep
		// a slow carrier's connection around.
		client: &http.Client{Timeout: cfg.ProbeTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		carriers: map[string]*carrier{},
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "edgeshelf_carrier_breaker_state",
			Help: "Carrier circuit-breaker state: 0 closed, 1 half-open, 2 open."}, []string{"carrier"}),
		outcome: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_carrier_events_total",
			Help: "Carrier health probes and reports by source and outcome."}, []string{"carrier", "source", "outcome"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.state, m.outcome} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *Monitor) get(id string) (*carrier, bool) {
	k, ok := m.cat.Current().Carrier(id)
	if !ok {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.carriers[k.ID]
	if c == nil {
		c = &carrier{since: m.now()}
		failures := uint32(m.cfg.Failures)
		c.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        k.ID,
			MaxRequests: uint32(m.cfg.Recovery),
			Timeout:     m.cfg.OpenFor,
			ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= failures },
			OnStateChange: func(name string, from, to gobreaker.State) {
				c.mu.Lock()
				c.since = m.now()
				c.mu.Unlock()
				m.state.WithLabelValues(name).Set(float64(to))
				m.log.Warn("carrier breaker", "carrier", name, "from", stateName(from), "to", stateName(to))
			},
		})
		m.state.WithLabelValues(k.ID).Set(0)
		m.carriers[k.ID] = c
	}
	return c, true
}

func stateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateOpen:
		return routing.BreakerOpen
	case gobreaker.StateHalfOpen:
		return routing.BreakerHalfOpen
	}
	return routing.BreakerClosed
}

// CarrierState is the carrier's breaker state; a carrier the catalog does
// not list reads as closed (the catalog check reports it elsewhere).
func (m *Monitor) CarrierState(id string) string {
	m.mu.Lock()
	c := m.carriers[id]
	m.mu.Unlock()
	if c == nil {
		return routing.BreakerClosed
	}
	return stateName(c.cb.State())
}

// record feeds one outcome into the carrier's breaker. While the breaker
// is open, outcomes are not counted: the carrier rests until OpenFor has
// passed, then the next outcomes decide (half-open).
func (m *Monitor) record(c *carrier, id, source string, err error) {
	ev := &Event{At: m.now(), Source: source, Outcome: OutcomeSuccess}
	if err != nil {
		ev.Outcome, ev.Detail = OutcomeFailure, err.Error()
	}
	c.mu.Lock()
	c.last = ev
	c.mu.Unlock()
	m.outcome.WithLabelValues(id, source, ev.Outcome).Inc()
	if done, aerr := c.cb.Allow(); aerr == nil {
		done(err)
	}
}

// Report records an operator's or an integration's report about a carrier:
// ok false for a failed pickup or an API error, true when it works again.
func (m *Monitor) Report(id string, ok bool, detail string) (Status, error) {
	c, found := m.get(id)
	if !found {
		return Status{}, fmt.Errorf("%w %q", ErrUnknownCarrier, id)
	}
	var err error
	if !ok {
		if detail == "" {
			detail = "reported failing"
		}
		err = errors.New(detail)
	}
	m.record(c, id, "report", err)
	return m.status(id, c), nil
}

// ProbeOnce probes every carrier of the current catalog that has a health
// URL, concurrently, and waits for them.
func (m *Monitor) ProbeOnce(ctx context.Context) {
	var wg sync.WaitGroup
	for _, k := range m.cat.Current().Carriers {
		if k.HealthURL == "" {
			continue
		}
		c, ok := m.get(k.ID)
		if !ok {
			continue
		}
		wg.Add(1)
		go func(id, url string) {
			defer wg.Done()
			m.record(c, id, "probe", m.probe(ctx, url))
		}(k.ID, k.HealthURL)
	}
	wg.Wait()
}

// probe is one GET of a health URL: a 2xx within the timeout is healthy.
func (m *Monitor) probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health_url: %w", err)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return fmt.Errorf("health probe: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("health probe: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Run probes every ProbeInterval until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	if m.cfg.ProbeInterval <= 0 {
		return
	}
	t := time.NewTicker(m.cfg.ProbeInterval)
	defer t.Stop()
	for {
		m.ProbeOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Monitor) status(id string, c *carrier) Status {
	st := Status{ID: id, Breaker: stateName(c.cb.State())}
	if k, ok := m.cat.Current().Carrier(id); ok {
		st.Name, st.HealthURL = k.Name, k.HealthURL
	}
	n := c.cb.Counts()
	st.ConsecutiveFailures, st.ConsecutiveSuccesses = n.ConsecutiveFailures, n.ConsecutiveSuccesses
	c.mu.Lock()
	st.Since, st.Last = c.since, c.last
	c.mu.Unlock()
	return st
}

// Statuses lists every carrier of the current catalog, by id.
func (m *Monitor) Statuses() []Status {
	cat := m.cat.Current()
	out := make([]Status, 0, len(cat.Carriers))
	for _, k := range cat.Carriers {
		if c, ok := m.get(k.ID); ok {
			out = append(out, m.status(k.ID, c))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
