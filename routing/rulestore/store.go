package rulestore

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// VersionsPrefix is where every rules file activated through the admin API
// is kept, as {n}.yaml with n counting up from 1.
const VersionsPrefix = "rules/versions/"

var versionKey = regexp.MustCompile(`^rules/versions/([1-9][0-9]{0,8})\.yaml$`)

// VersionKey is the store key of rules version n.
func VersionKey(n int) string { return VersionsPrefix + strconv.Itoa(n) + ".yaml" }

// Store keeps one replica's routing in step with the store: it builds
// the engine from rules/active.yaml (the playbook when there is none) and
// inventory/*.json, writes new rules versions for the admin API, and polls
// for what other replicas, inventory feeds and catalog edits change.
//
// Invariant: the engine only ever runs a rule set that parsed and validated
// against the catalog it is bound to. A broken file, written by hand or by
// another replica, is logged once, counted, and otherwise ignored: the last
// good set keeps serving.
type Store struct {
	blob   store.Blob
	cat    *catalog.Source
	inv    *routing.StoreInventory
	ovr    *routing.StoreOverrides
	engine *routing.Engine
	poll   time.Duration
	log    *slog.Logger
	m      *rulesMetrics

	// mu serialises every change of the active rules (admin API, polling,
	// catalog rebinding) so that activeETag always describes what runs.
	mu sync.Mutex
	// activeETag is the ETag of the rules/active.yaml the engine runs, ""
	// when it runs something else (the playbook, or a fallback).
	activeETag string
	// reported is the last problem logged per kind, so a broken file or a
	// store outage is logged once, not on every poll.
	reported map[string]string
	// badCatalog is a catalog the active rules could not be rebound to.
	badCatalog *catalog.Catalog
}

// Options are what New is built from.
type Options struct {
	Config  routing.Config
	Store   store.Blob
	Catalog *catalog.Source
	// Poll is how often Run checks the store; 0 disables polling.
	Poll time.Duration
	// Clock is the engine's time source; nil means time.Now.
	Clock    routing.Clock
	Registry *prometheus.Registry
	Log      *slog.Logger
}

type rulesMetrics struct {
	rejected *prometheus.CounterVec
	swaps    *prometheus.CounterVec
	invErrs  prometheus.Counter
}

// Where a rules change came from, for metrics and logs.
const (
	viaStartup  = "startup"
	viaPoll     = "poll"
	viaPut      = "put"
	viaRollback = "rollback"
	viaCatalog  = "catalog"
)

func newRulesMetrics(reg *prometheus.Registry) *rulesMetrics {
	f := promauto.With(reg)
	return &rulesMetrics{
		rejected: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_routing_rules_rejected_total",
			Help: "Rules files refused because they do not validate (each broken file once), by how they arrived."}, []string{"via"}),
		swaps: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_routing_rules_swaps_total",
			Help: "Rule sets made active, by how they arrived."}, []string{"via"}),
		invErrs: f.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_routing_inventory_refresh_errors_total",
			Help: "Inventory refreshes that failed for at least one hub (its last good snapshot stays in use)."}),
	}
}

// New loads the inventory snapshots and the active rules and
// builds the engine. A broken rules/active.yaml does not stop start-up
// (images must still be served): the newest stored version that validates
// runs instead, else the playbook, and the problem is logged.
func New(ctx context.Context, o Options) (*Store, error) {
	if o.Store == nil || o.Catalog == nil {
		return nil, errors.New("rulestore: New needs a store and a catalog source")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	r := &Store{
		blob: o.Store, cat: o.Catalog, inv: routing.NewStoreInventory(o.Store), poll: o.Poll,
		log: o.Log, m: newRulesMetrics(o.Registry), reported: map[string]string{},
	}
	r.syncInventory(ctx)
	rs, err := r.loadInitial(ctx, o.Catalog.Current())
	if err != nil {
		return nil, err
	}
	r.engine, err = routing.New(o.Config, rs, r.inv, o.Clock)
	if err != nil {
		return nil, err
	}
	r.m.swaps.WithLabelValues(viaStartup).Inc()
	r.ovr = routing.NewStoreOverrides(o.Store, r.engine.SetOverrides)
	r.syncOverrides(ctx)
	return r, nil
}

// Engine is the routing engine the store keeps current.
func (r *Store) Engine() *routing.Engine { return r.engine }

// Inventory is the inventory view the engine reads.
func (r *Store) Inventory() *routing.StoreInventory { return r.inv }

func (r *Store) loadInitial(ctx context.Context, cat *catalog.Catalog) (*routing.RuleSet, error) {
	obj, err := r.blob.Get(ctx, routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.log.Info("no rules/active.yaml in the store: routing with the playbook (nearest hub holding 2 units, then central)")
		return routing.DefaultRules(cat)
	case err != nil && !errors.Is(err, store.ErrTooLarge):
		return nil, storeFailed("reading "+routing.ActiveKey, err)
	}
	if err == nil {
		rs, perr := routing.ParseRules(routing.ActiveKey, obj.Data, cat)
		if perr == nil {
			r.activeETag = obj.ETag
			return rs, nil
		}
		err = perr
		r.reported["rules"] = "etag:" + obj.ETag
	}
	r.m.rejected.WithLabelValues(viaStartup).Inc()
	versions, _ := r.listVersions(ctx)
	for i := len(versions) - 1; i >= 0; i-- {
		v, verr := r.blob.Get(ctx, versions[i].Key, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
		if verr != nil {
			continue
		}
		if rs, perr := routing.ParseRules(routing.ActiveKey, v.Data, cat); perr == nil {
			r.log.Error("rules/active.yaml is broken; routing with the newest stored version that validates",
				"err", err, "fallback", versions[i].Key, "rules_version", rs.Version())
			return rs, nil
		}
	}
	r.log.Error("rules/active.yaml is broken and no stored version validates; routing with the playbook", "err", err)
	return routing.DefaultRules(cat)
}

// Run keeps routing current until ctx ends: it polls the store every Poll
// (S3, and a backstop everywhere) and, on a directory store, also watches
// the store root, rules/ and inventory/ with fsnotify, so a file written by
// an operator — or a Kubernetes ConfigMap swapping its ..data symlink — is
// applied at once. Every trigger runs Sync, which compares ETags, so extra
// events cost a Stat, never a wrong reload.
func (r *Store) Run(ctx context.Context) {
	var events <-chan fsnotify.Event
	var watchErrs <-chan error
	if d, ok := r.blob.(interface{ Dir() string }); ok {
		if w, err := fsnotify.NewWatcher(); err == nil {
			defer w.Close()
			for _, sub := range []string{"", "rules", "inventory"} {
				_ = w.Add(filepath.Join(d.Dir(), sub)) // a directory created later is polled
			}
			events, watchErrs = w.Events, w.Errors
		}
	}
	var tick <-chan time.Time
	if r.poll > 0 {
		t := time.NewTicker(r.poll)
		defer t.Stop()
		tick = t.C
	}
	if tick == nil && events == nil {
		return
	}
	// Editors and ConfigMap updates write in bursts: sync once they settle.
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			r.Sync(ctx)
		case <-events:
			settle = time.After(50 * time.Millisecond)
		case err := <-watchErrs:
			// A dropped event is caught by the next poll.
			r.log.Debug("rules watch", "err", err)
		case <-settle:
			settle = nil
			r.Sync(ctx)
		}
	}
}

// Sync applies what changed in the store since the last call: inventory
// snapshots, overrides.json, rules/active.yaml, and the catalog the rules
// are bound to. Run calls it on every poll.
func (r *Store) Sync(ctx context.Context) {
	r.syncInventory(ctx)
	r.syncOverrides(ctx)
	r.syncRules(ctx)
}

// report logs a problem of one kind once until it changes or clears.
func (r *Store) report(kind, key string, log func()) {
	if r.reported[kind] == key {
		return
	}
	r.reported[kind] = key
	log()
}

func (r *Store) syncInventory(ctx context.Context) {
	n, err := r.inv.Refresh(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && ctx.Err() == nil:
		r.m.invErrs.Inc()
		r.report("inventory", err.Error(), func() {
			r.log.Error("inventory refresh failed; the affected hubs keep their last good snapshot", "err", err)
		})
	case err == nil:
		r.reported["inventory"] = ""
	}
	if n > 0 {
		r.log.Debug("inventory refreshed", "hubs", n)
	}
}

func (r *Store) syncRules(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cat := r.cat.Current()
	obj, err := r.blob.Get(ctx, routing.ActiveKey, store.GetOptions{IfNoneMatch: r.activeETag, MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotModified):
		r.reported["store"] = ""
	case errors.Is(err, store.ErrNotFound):
		r.reported["store"] = ""
		if r.activeETag != "" {
			r.log.Warn("rules/active.yaml disappeared from the store; keeping the rules in force", "rules_version", r.engine.Rules().Version())
			r.activeETag = ""
		}
	case errors.Is(err, store.ErrTooLarge):
		r.report("rules", err.Error(), func() {
			r.m.rejected.WithLabelValues(viaPoll).Inc()
			r.log.Error("rules/active.yaml refused; keeping the last good rules", "err", err, "rules_version", r.engine.Rules().Version())
		})
	case err != nil:
		if ctx.Err() == nil {
			r.report("store", err.Error(), func() {
				r.log.Error("reading rules/active.yaml failed; keeping the rules in force", "err", err)
			})
		}
		return
	default:
		r.reported["store"] = ""
		if r.reported["rules"] == "etag:"+obj.ETag {
			break // the broken file already reported: do not parse it again
		}
		rs, perr := routing.ParseRules(routing.ActiveKey, obj.Data, cat)
		if perr != nil {
			r.report("rules", "etag:"+obj.ETag, func() {
				r.m.rejected.WithLabelValues(viaPoll).Inc()
				r.log.Error("rules/active.yaml does not validate; keeping the last good rules", "err", perr, "rules_version", r.engine.Rules().Version())
			})
			break
		}
		prev := r.engine.Swap(rs)
		r.activeETag, r.reported["rules"] = obj.ETag, ""
		r.m.swaps.WithLabelValues(viaPoll).Inc()
		r.log.Info("rules reloaded from the store", "rules_version", rs.Version(), "previous", prev.Version())
	}
	r.rebind(cat)
}

// rebind recompiles the active rules against a catalog that changed. A
// catalog the rules no longer fit (a hub they name disappeared) leaves the
// old pair in force. The caller holds mu.
func (r *Store) rebind(cat *catalog.Catalog) {
	cur := r.engine.Rules()
	if cur.Catalog() == cat || cat == r.badCatalog {
		return
	}
	rs, err := cur.Rebind(cat)
	if err != nil {
		r.badCatalog = cat
		r.m.rejected.WithLabelValues(viaCatalog).Inc()
		r.log.Error("the active rules do not fit the new catalog; routing keeps the previous catalog and rules", "err", err, "rules_version", cur.Version())
		return
	}
	r.badCatalog = nil
	r.engine.Swap(rs)
	r.m.swaps.WithLabelValues(viaCatalog).Inc()
	r.log.Info("rules rebound to the new catalog", "rules_version", rs.Version())
}

// Overrides is the operators' overrides the store keeps in step.
func (r *Store) Overrides() *routing.StoreOverrides { return r.ovr }

func (r *Store) syncOverrides(ctx context.Context) {
	_, err := r.ovr.Refresh(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && ctx.Err() == nil:
		r.report("overrides", err.Error(), func() {
			r.log.Error("overrides refresh failed; the last good overrides stay in force", "err", err)
		})
	case err == nil:
		r.reported["overrides"] = ""
	}
}
