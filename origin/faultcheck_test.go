package origin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/store"
)

// checkRecovery: with the link back, the same server renders variants it
// never rendered and accepts writes, without a restart. The first success
// may take a moment (pooled connections to a dead link fail once); after
// it, every request must succeed.
func (r *faultRig) checkRecovery() {
	t := r.t
	deadline := time.Now().Add(10 * time.Second)
	for !r.putInventory() {
		if time.Now().After(deadline) {
			t.Fatalf("no inventory write succeeded within 10 s of S3 coming back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i := range 3 {
		if !r.putInventory() || !r.putRules() {
			t.Errorf("write %d after recovery failed", i)
		}
		// Beyond the readers' widths: never rendered before.
		path := fmt.Sprintf("/img/label-mug/front/_.jpg?w=%d", 601+i)
		status, header, body, _, err := r.do(http.MethodGet, path, "", "")
		if err != nil || status != http.StatusOK || !strings.Contains(header.Get("Server-Timing"), "desc=render") {
			t.Errorf("fresh variant %s after recovery: %d %q %v %.200s", path, status, header.Get("Server-Timing"), err, body)
			continue
		}
		r.checkJPEG(path, body, 601+i)
	}
}

// checkConvergence: writes that failed may still have landed in S3
// (answer lost on the way back). Polling must bring the replica to what
// the store holds, and the store must hold at least the last write that
// was answered 2xx.
func (r *faultRig) checkConvergence() {
	t := r.t
	stored, err := r.storedSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if stored.Seq < r.lastOK {
		t.Errorf("versitygw holds inventory seq %d, below seq %d answered 200", stored.Seq, r.lastOK)
	}
	var active []byte
	origintest.WaitFor(t, 5*time.Second, "the replica serves the store's inventory and rules", func() bool {
		status, _, body, _, err := r.do(http.MethodGet, "/admin/inventory/"+faultHub, "", "")
		var inv struct {
			Snapshot routing.Snapshot `json:"snapshot"`
		}
		if err != nil || status != http.StatusOK || json.Unmarshal(body, &inv) != nil || inv.Snapshot.Seq != stored.Seq {
			return false
		}
		obj, err := r.direct.Get(t.Context(), routing.ActiveKey, store.GetOptions{})
		if err != nil {
			return false
		}
		active = obj.Data
		status, _, body, _, err = r.do(http.MethodGet, "/admin/rules/versions", "", "")
		var v rulestore.RulesVersions
		return err == nil && status == http.StatusOK && json.Unmarshal(body, &v) == nil &&
			v.Serving == declaredRulesVersion(active)
	})
}

// checkOutcomes applies the per-request rules and logs what happened in
// each phase.
func (r *faultRig) checkOutcomes(phases []faultPhase) {
	t := r.t
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.violations {
		t.Error(v)
	}
	type tally struct {
		ok, failed int
		codes      map[string]int
		slowest    time.Duration
	}
	byPhase := map[string]map[string]*tally{}
	outageWriteFailed, latencyWriteOK := false, false
	for _, o := range r.outcomes {
		if o.op == "cached" && o.status != http.StatusOK {
			// L1 hits never touch the store: 100% 200 whatever it does.
			t.Errorf("L1 hit failed with %d %s in %s", o.status, o.code, o.sent)
		}
		if o.op == "variant" || o.op == "cached" {
			if bound := faultRequestTimeout + faultSlack; o.took > bound {
				t.Errorf("%s GET took %s (sent in %s), past the %s bound", o.op, o.took, o.sent, bound)
			}
		}
		if o.sent != o.settled {
			continue // straddled a switch: the rules above still applied
		}
		if o.sent == "pass" && o.status != http.StatusOK {
			t.Errorf("%s failed with %d %s before any fault", o.op, o.status, o.code)
		}
		isWrite := o.op == "inventory" || o.op == "rules"
		for _, ph := range phases {
			if ph.name == o.sent && ph.outage && isWrite && o.status != http.StatusOK {
				outageWriteFailed = true
			}
		}
		if o.sent == "latency" && isWrite && o.status == http.StatusOK {
			latencyWriteOK = true
		}
		if byPhase[o.sent] == nil {
			byPhase[o.sent] = map[string]*tally{}
		}
		tl := byPhase[o.sent][o.op]
		if tl == nil {
			tl = &tally{codes: map[string]int{}}
			byPhase[o.sent][o.op] = tl
		}
		if o.status == http.StatusOK {
			tl.ok++
		} else {
			tl.failed++
			tl.codes[o.code]++
		}
		tl.slowest = max(tl.slowest, o.took)
	}
	if !outageWriteFailed {
		t.Error("no write failed during the outage: the faults did not reach the store")
	}
	if !latencyWriteOK {
		t.Error("no write succeeded under added latency")
	}
	t.Logf("%d error and /readyz bodies searched for store addresses, SDK text and paths", r.bodiesChecked)
	if s := r.proxy.Stats(); s.Reset == 0 || s.Held == 0 {
		t.Errorf("proxy stats %+v: the reset and black-hole faults never fired", s)
	}
	for _, ph := range phases {
		ops := make([]string, 0, len(byPhase[ph.name]))
		for op := range byPhase[ph.name] {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			tl := byPhase[ph.name][op]
			t.Logf("%-15s %-9s ok %3d  failed %3d %v  slowest %s", ph.name, op, tl.ok, tl.failed, tl.codes, tl.slowest.Round(time.Millisecond))
		}
	}
}
