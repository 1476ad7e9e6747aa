package origin_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/faultproxy"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store/s3"
)

// Fault-test timing. The S3 timeout is short so an outage costs seconds;
// every bound below is derived from these.
const (
	faultS3Timeout      = time.Second
	faultRequestTimeout = 3 * time.Second
	// A variant answer may take the request deadline plus this much
	// (scheduling on a loaded 2-core machine with -race).
	faultSlack = 2 * time.Second
	// faultClientTimeout only turns a hang into a failure instead of a
	// stuck test; the assertions use the bounds above.
	faultClientTimeout = 30 * time.Second
	faultHub           = "eu-waw"
)

// faultPhase is a fault held for a while as traffic runs.
type faultPhase struct {
	name  string
	fault faultproxy.Fault
	hold  time.Duration
	// outage phases must fail writes and show the store degraded, with
	// the replica still ready.
	outage bool
}

// faultOutcome is one request's result, with the phase in force when it
// was sent and when it was answered.
type faultOutcome struct {
	op            string // variant, cached, inventory, rules
	sent, settled string
	status        int
	code          string
	took          time.Duration
}

// faultRig is an origin over S3 through a fault proxy, with versitygw also
// reachable directly to check what was really stored.
type faultRig struct {
	t      *testing.T
	h      *origintest.Harness
	direct *s3.Store // versitygw without the proxy
	proxy  *faultproxy.Proxy
	client *http.Client

	phase    atomic.Pointer[string]
	seq      atomic.Int64 // the next inventory seq
	rulesN   atomic.Int64 // the next rules version name
	distinct atomic.Int64 // the next ad-hoc width offset

	mu         sync.Mutex
	outcomes   []faultOutcome
	violations []string
	// cached are the bytes of the repeated variants as first served.
	cached map[string][]byte
	// lastOK is the seq of the last inventory write answered 2xx.
	lastOK int64
	// markers are what no error body may contain (store addresses, SDK
	// text, local paths); bodiesChecked counts the bodies searched.
	markers       []string
	bodiesChecked int
	// seen is what statusWatcher saw in each phase.
	seen map[string]*phaseStatus
}

// TestS3Faults runs variant GETs and inventory and rules PUTs against an
// origin whose S3 link suffers latency, resets (at once and part-way
// through responses), a black hole and an outage, switched while traffic
// runs. Every write either answers 2xx and is then in versitygw, or answers
// a 503 problem; no variant answer is corrupt or later than the request
// deadline; L1 hits always answer 200; /readyz answers 200 throughout (a
// store outage degrades, it does not unready: /metrics and /admin/status
// show it); no error body names the store, the SDK or a local path; and
// once the link is back the same server renders and writes again without
// a restart, reports the store recovered, and its routing state converges
// on what the store holds.
func TestS3Faults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs traffic through injected S3 faults for ~15 s")
	}
	rig := startFaultRig(t)

	phases := []faultPhase{
		{name: "pass", fault: faultproxy.Pass(), hold: 1500 * time.Millisecond},
		{name: "latency", fault: faultproxy.Latency(60*time.Millisecond, 20*time.Millisecond), hold: 2 * time.Second},
		// Headers get through, bodies are cut: originals (~100 KB) never
		// arrive whole, small answers often do.
		{name: "reset-mid-body", fault: faultproxy.ResetAfter(1500), hold: 1500 * time.Millisecond},
		{name: "reset", fault: faultproxy.Reset(), hold: time.Second},
		{name: "pass-again", fault: faultproxy.Pass(), hold: time.Second},
		{name: "black-hole", fault: faultproxy.Blackhole(), hold: 2500 * time.Millisecond, outage: true},
		{name: "refused", fault: faultproxy.Refuse(), hold: 1500 * time.Millisecond, outage: true},
	}

	ctx, stop := context.WithCancel(t.Context())
	var workers sync.WaitGroup
	run := func(f func(context.Context)) {
		workers.Add(1)
		go func() { defer workers.Done(); f(ctx) }()
	}
	rig.setPhase("pass")
	run(rig.cachedReader)
	run(rig.distinctReader)
	run(rig.distinctReader)
	run(rig.writer)
	run(rig.statusWatcher)

	for _, ph := range phases {
		rig.setPhase(ph.name)
		if err := rig.proxy.Set(ph.fault); err != nil {
			t.Fatal(err)
		}
		time.Sleep(ph.hold)
	}
	rig.setPhase("recovery")
	if err := rig.proxy.Set(faultproxy.Pass()); err != nil {
		t.Fatal(err)
	}
	stop()
	workers.Wait()

	rig.checkDegradedSeen(phases)
	rig.checkRecovery()
	rig.checkRecovered()
	rig.checkConvergence()
	rig.checkOutcomes(phases)
}
