package carrierhealth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
)

// healthServer answers its health URL with 200 or 503, switchable.
type healthServer struct {
	*httptest.Server
	down  atomic.Bool
	calls atomic.Int64
}

func newHealthServer(t *testing.T) *healthServer {
	h := &healthServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h.calls.Add(1)
		if h.down.Load() {
			http.Error(w, "pickup API down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(h.Close)
	return h
}

// demoWithHealth is the demo catalog with health URLs for the EU hub's
// carriers (inpost first, then dhl-eu).
func demoWithHealth(t testing.TB, urls map[string]string) *catalog.Catalog {
	t.Helper()
	b, err := os.ReadFile("../../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for id, url := range urls {
		old := "{id: " + id + ", "
		if !strings.Contains(src, old) {
			t.Fatalf("demo catalog has no carrier %q", id)
		}
		src = strings.Replace(src, old, "{id: "+id+", health_url: \""+url+"\", ", 1)
	}
	cat, err := catalog.Parse("catalog.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func testConfig() carrierhealth.Config {
	cfg := carrierhealth.DefaultConfig()
	cfg.Failures = 2
	cfg.Recovery = 2
	// gobreaker reads the wall clock: the tests check an open breaker some
	// probes and decisions after it opened, which a loaded machine can
	// stretch past a short OpenFor (the breaker would be half-open by then).
	cfg.OpenFor = 2 * time.Second
	cfg.ProbeTimeout = time.Second
	return cfg
}

func engine(t testing.TB, cat *catalog.Catalog, m *carrierhealth.Monitor) *routing.Engine {
	t.Helper()
	rs, err := routing.DefaultRules(cat)
	if err != nil {
		t.Fatal(err)
	}
	inv := routing.NewStaticInventory()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	inv.Set("eu-waw", now, map[string]int{"amber-oud-50ml": 20})
	e, err := routing.New(routing.DefaultConfig(), rs, inv, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	e.SetCarrierHealth(m)
	return e
}

func decidePL(t *testing.T, e *routing.Engine) *routing.Decision {
	t.Helper()
	d, err := e.Decide(context.Background(), routing.Order{
		Lines: []routing.Line{{SKU: "amber-oud-50ml", Qty: 1}}, Destination: routing.Destination{Country: "PL"}})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

// carriersOf is a decision's carriers as the JSON shows them: id:state:breaker.
func carriersOf(t *testing.T, d *routing.Decision) string {
	t.Helper()
	b, err := json.Marshal(d.Carriers)
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ ID, State, Breaker string }
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range list {
		parts = append(parts, c.ID+":"+c.State+":"+c.Breaker)
	}
	return strings.Join(parts, " ")
}

// waitState probes until the carrier's breaker reaches want (the open
// breaker turns half-open only after OpenFor).
func waitState(t *testing.T, m *carrierhealth.Monitor, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for m.CarrierState(id) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s breaker is %s, want %s", id, m.CarrierState(id), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFailoverAndRecovery(t *testing.T) {
	inpost, dhl := newHealthServer(t), newHealthServer(t)
	cat := demoWithHealth(t, map[string]string{"inpost": inpost.URL, "dhl-eu": dhl.URL})
	m, err := carrierhealth.New(testConfig(), catalog.NewStatic(cat), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := engine(t, cat, m)
	ctx := context.Background()

	m.ProbeOnce(ctx)
	if got, want := carriersOf(t, decidePL(t, e)), "inpost:primary:closed dhl-eu:fallback:closed"; got != want {
		t.Fatalf("healthy carriers = %s, want %s", got, want)
	}

	// InPost's health endpoint fails: one failure is noise, two open it.
	inpost.down.Store(true)
	m.ProbeOnce(ctx)
	if got := m.CarrierState("inpost"); got != routing.BreakerClosed {
		t.Fatalf("after 1 failure inpost is %s, want closed", got)
	}
	m.ProbeOnce(ctx)
	d := decidePL(t, e)
	if got, want := carriersOf(t, d), "dhl-eu:primary:closed inpost:unavailable:open"; got != want {
		t.Fatalf("after 2 failures carriers = %s, want %s", got, want)
	}
	if d.Node.ID != "eu-waw" || d.Promise.MaxHours != 72 {
		t.Errorf("failover decision = %s promising %dh, want eu-waw promising DHL's 72h", d.Node.ID, d.Promise.MaxHours)
	}

	// DHL fails too (reported by the pickup integration): the hub has no
	// carrier left for PL and is skipped; central ships.
	for range 2 {
		if _, err := m.Report("dhl-eu", false, "failed pickup"); err != nil {
			t.Fatal(err)
		}
	}
	d = decidePL(t, e)
	if d.Node.ID != "central" {
		t.Fatalf("with every EU-hub carrier open the decision is %s, want central", d.Node.ID)
	}
	var skipped bool
	for _, a := range d.Alternatives {
		if a.Node.ID == "eu-waw" && a.Reason == routing.ReasonCarriersDown {
			skipped = true
		}
	}
	if !skipped {
		t.Errorf("eu-waw is not listed as skipped for %s: %+v", routing.ReasonCarriersDown, d.Alternatives)
	}

	// Both recover (DHL's health URL never failed: its failures were
	// reported). After OpenFor both are half-open and used again, InPost
	// first as the hub lists it.
	inpost.down.Store(false)
	waitState(t, m, "inpost", routing.BreakerHalfOpen)
	waitState(t, m, "dhl-eu", routing.BreakerHalfOpen)
	if got, want := carriersOf(t, decidePL(t, e)), "inpost:primary:half-open dhl-eu:fallback:half-open"; got != want {
		t.Fatalf("half-open carriers = %s, want %s", got, want)
	}

	// A failure while half-open reopens at once.
	if _, err := m.Report("dhl-eu", false, "API error"); err != nil {
		t.Fatal(err)
	}
	if got, want := carriersOf(t, decidePL(t, e)), "inpost:primary:half-open dhl-eu:unavailable:open"; got != want {
		t.Fatalf("after a half-open failure carriers = %s, want %s", got, want)
	}

	// Two good probes close InPost; DHL's open breaker ignores them.
	m.ProbeOnce(ctx)
	if got := m.CarrierState("inpost"); got != routing.BreakerHalfOpen {
		t.Fatalf("after 1 good probe inpost is %s, want still half-open", got)
	}
	m.ProbeOnce(ctx)
	if got := m.CarrierState("inpost"); got != routing.BreakerClosed {
		t.Fatalf("after 2 good probes inpost is %s, want closed", got)
	}
	if got := m.CarrierState("dhl-eu"); got == routing.BreakerClosed {
		t.Fatal("probes while open closed dhl-eu")
	}

	// DHL half-opens again and two good reports close it.
	waitState(t, m, "dhl-eu", routing.BreakerHalfOpen)
	for range 2 {
		if _, err := m.Report("dhl-eu", true, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := carriersOf(t, decidePL(t, e)), "inpost:primary:closed dhl-eu:fallback:closed"; got != want {
		t.Fatalf("recovered carriers = %s, want %s", got, want)
	}
	if inpost.calls.Load() < 4 {
		t.Errorf("inpost's health URL was probed %d times, want ≥ 4", inpost.calls.Load())
	}
}

func TestSlowProbeFails(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	cat := demoWithHealth(t, map[string]string{"inpost": slow.URL})
	cfg := testConfig()
	cfg.ProbeTimeout = 50 * time.Millisecond
	cfg.Failures = 1
	m, err := carrierhealth.New(cfg, catalog.NewStatic(cat), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.ProbeOnce(context.Background())
	if got := m.CarrierState("inpost"); got != routing.BreakerOpen {
		t.Fatalf("a probe slower than the timeout left inpost %s, want open", got)
	}
	st := m.Statuses()
	if len(st) == 0 || st[0].ID != "dhl-eu" {
		t.Fatalf("Statuses not sorted by id: %+v", st)
	}
	for _, s := range st {
		if s.ID == "inpost" && (s.Last == nil || s.Last.Outcome != carrierhealth.OutcomeFailure || !strings.Contains(s.Last.Detail, "health probe")) {
			t.Errorf("inpost status = %+v, want the failed probe as last event", s)
		}
	}
}

func TestReportUnknownCarrier(t *testing.T) {
	cat := demoWithHealth(t, nil)
	m, err := carrierhealth.New(testConfig(), catalog.NewStatic(cat), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Report("pigeon", false, ""); err == nil || !strings.Contains(err.Error(), "unknown carrier") {
		t.Fatalf("Report(pigeon) = %v, want unknown carrier", err)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := carrierhealth.DefaultConfig()
	bad.Failures = 0
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "EDGESHELF_CARRIER_FAILURES") {
		t.Fatalf("Validate = %v, want the key named", err)
	}
	if err := carrierhealth.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}
