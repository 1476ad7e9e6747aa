package origin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// phaseStatus is what statusWatcher saw during one phase.
type phaseStatus struct {
	samples int
	// metric and admin: the store was reported degraded by /metrics
	// (edgeshelf_store_degraded 1) and by GET /admin/status.
	metric, admin bool
}

// checkInternals fails any body that names the store (its address, the
// proxy's, versitygw), carries SDK or network error text or a local path:
// that detail belongs in the log, under the body's request_id.
func (r *faultRig) checkInternals(what string, body []byte) {
	m := origintest.FindInternal(body, r.markers)
	r.mu.Lock()
	r.bodiesChecked++
	r.mu.Unlock()
	if m != "" {
		r.violate("%s: the public body carries %q: %s", what, m, body)
	}
}

// statusWatcher asks /readyz, /metrics and GET /admin/status every 100 ms
// all through the faults. /readyz must answer 200 in every phase: the
// store is shared by every replica, so an outage must not take them all
// out of the Service.
func (r *faultRig) statusWatcher(ctx context.Context) {
	for ctx.Err() == nil {
		sent := r.currentPhase()
		status, _, body, took, err := r.do(http.MethodGet, "/readyz", "", "")
		switch {
		case err != nil:
			r.violate("GET /readyz in %s: %v after %s", sent, err, took)
		case status != http.StatusOK:
			r.violate("GET /readyz in %s: %d, want 200 (readiness does not depend on the store): %s", sent, status, body)
		case took > faultSlack:
			r.violate("GET /readyz in %s took %s: it must do no store I/O", sent, took)
		}
		r.checkInternals("GET /readyz", body)
		metric, st, ok := r.storeState()
		if ok && r.currentPhase() == sent {
			r.mu.Lock()
			ps := r.seen[sent]
			if ps == nil {
				ps = &phaseStatus{}
				r.seen[sent] = ps
			}
			ps.samples++
			ps.metric = ps.metric || metric
			ps.admin = ps.admin || st.Store.Degraded
			r.mu.Unlock()
		}
		if ok && st.Store.Degraded && (st.Store.Since.IsZero() || st.Store.LastError == "" || !st.Ready) {
			r.violate("GET /admin/status in %s: degraded without since/last_error, or not ready: %+v", sent, st)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// storeState reads edgeshelf_store_degraded and GET /admin/status.
func (r *faultRig) storeState() (metric bool, st admin.Status, ok bool) {
	status, _, body, _, err := r.do(http.MethodGet, "/metrics", "", "")
	v, found := origintest.MetricValue(body, "edgeshelf_store_degraded")
	if err != nil || status != http.StatusOK || !found {
		r.violate("GET /metrics: %d %v, edgeshelf_store_degraded found: %v", status, err, found)
		return false, st, false
	}
	if _, found := origintest.MetricValue(body, "edgeshelf_store_last_success_age_seconds"); !found {
		r.violate("GET /metrics: edgeshelf_store_last_success_age_seconds missing")
	}
	status, _, body, _, err = r.do(http.MethodGet, "/admin/status", "", "")
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &st) != nil {
		r.violate("GET /admin/status: %d %v %.200s", status, err, body)
		return false, st, false
	}
	return v == 1, st, true
}

// checkDegradedSeen: during the outage phases both /metrics and the admin
// status reported the store degraded.
func (r *faultRig) checkDegradedSeen(phases []faultPhase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var metric, adminSeen bool
	var outages []string
	for _, ph := range phases {
		ps := r.seen[ph.name]
		if ps != nil {
			r.t.Logf("%-15s status samples %3d  degraded: metric %v, admin %v", ph.name, ps.samples, ps.metric, ps.admin)
		}
		if ph.outage && ps != nil {
			metric, adminSeen = metric || ps.metric, adminSeen || ps.admin
		}
		if ph.outage {
			outages = append(outages, ph.name)
		}
	}
	if !metric || !adminSeen {
		r.t.Errorf("during %s: edgeshelf_store_degraded 1 seen %v, /admin/status degraded seen %v; want both",
			strings.Join(outages, ", "), metric, adminSeen)
	}
}

// checkRecovered: with the link back, both report the store healthy again
// within a few probe periods, without a restart.
func (r *faultRig) checkRecovered() {
	origintest.WaitFor(r.t, 10*time.Second, "the store reported recovered in /metrics and /admin/status", func() bool {
		metric, st, ok := r.storeState()
		return ok && !metric && !st.Store.Degraded && !st.Store.LastSuccess.IsZero()
	})
}
