package origin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/goccy/go-yaml"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// VersionsPrefix is where every rules file activated through the admin API
// is kept, as {n}.yaml with n counting up from 1.
const VersionsPrefix = "rules/versions/"

var versionKey = regexp.MustCompile(`^rules/versions/([1-9][0-9]{0,8})\.yaml$`)

// VersionKey is the store key of rules version n.
func VersionKey(n int) string { return VersionsPrefix + strconv.Itoa(n) + ".yaml" }

// RuleStore keeps one replica's routing in step with the store: it builds
// the engine from rules/active.yaml (the playbook when there is none) and
// inventory/*.json, writes new rules versions for the admin API, and polls
// for what other replicas, inventory feeds and catalog edits change.
//
// Invariant: the engine only ever runs a rule set that parsed and validated
// against the catalog it is bound to. A broken file, written by hand or by
// another replica, is logged once, counted, and otherwise ignored: the last
// good set keeps serving.
type RuleStore struct {
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

// RuleStoreOptions are what NewRuleStore is built from.
type RuleStoreOptions struct {
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

// NewRuleStore loads the inventory snapshots and the active rules and
// builds the engine. A broken rules/active.yaml does not stop start-up
// (images must still be served): the newest stored version that validates
// runs instead, else the playbook, and the problem is logged.
func NewRuleStore(ctx context.Context, o RuleStoreOptions) (*RuleStore, error) {
	if o.Store == nil || o.Catalog == nil {
		return nil, errors.New("origin: NewRuleStore needs a store and a catalog source")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	r := &RuleStore{
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
func (r *RuleStore) Engine() *routing.Engine { return r.engine }

// Inventory is the inventory view the engine reads.
func (r *RuleStore) Inventory() *routing.StoreInventory { return r.inv }

func (r *RuleStore) loadInitial(ctx context.Context, cat *catalog.Catalog) (*routing.RuleSet, error) {
	obj, err := r.blob.Get(ctx, routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.log.Info("no rules/active.yaml in the store: routing with the playbook (nearest hub holding 2 units, then central)")
		return routing.DefaultRules(cat)
	case err != nil && !errors.Is(err, store.ErrTooLarge):
		return nil, fmt.Errorf("routing: reading %s: %w", routing.ActiveKey, err)
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
func (r *RuleStore) Run(ctx context.Context) {
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
func (r *RuleStore) Sync(ctx context.Context) {
	r.syncInventory(ctx)
	r.syncOverrides(ctx)
	r.syncRules(ctx)
}

// report logs a problem of one kind once until it changes or clears.
func (r *RuleStore) report(kind, key string, log func()) {
	if r.reported[kind] == key {
		return
	}
	r.reported[kind] = key
	log()
}

func (r *RuleStore) syncInventory(ctx context.Context) {
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

func (r *RuleStore) syncRules(ctx context.Context) {
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
func (r *RuleStore) rebind(cat *catalog.Catalog) {
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

// RulesChange is the answer to PUT /admin/rules and POST
// /admin/rules/rollback/{n}: the dry run on the reference orders and, when
// activated, where the rules were stored.
type RulesChange struct {
	Activated       bool   `json:"activated"`
	DryRun          bool   `json:"dry_run"`
	RulesVersion    string `json:"rules_version"`
	PreviousVersion string `json:"previous_version"`
	Rules           int    `json:"rules"`
	// N and Key name the stored version (absent for a dry run).
	N   int    `json:"n,omitempty"`
	Key string `json:"key,omitempty"`
	// Archived is the version number the previous rules/active.yaml was
	// saved as, when no stored version held it yet (so it can be rolled
	// back to).
	Archived int                   `json:"archived,omitempty"`
	Report   *routing.DryRunReport `json:"report"`
	// Unmet lists reference orders whose `expect` the new rules break.
	Unmet []string `json:"unmet_expectations"`
	// ReferenceError says why no reference orders were replayed.
	ReferenceError string `json:"reference_error,omitempty"`
}

// Put validates a rules file, replays the reference orders against it and,
// unless dryRun, stores it as the next version and as rules/active.yaml and
// makes it active. Validation errors are *routing.ValidationError.
func (r *RuleStore) Put(ctx context.Context, data []byte, dryRun bool) (*RulesChange, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cat := r.cat.Current()
	rs, err := routing.ParseRules(routing.ActiveKey, data, cat)
	if err != nil {
		r.m.rejected.WithLabelValues(viaPut).Inc()
		return nil, err
	}
	ch, err := r.dryRun(ctx, rs, cat)
	if err != nil {
		return nil, err
	}
	ch.DryRun = dryRun
	if dryRun {
		return ch, nil
	}
	versions, err := r.listVersions(ctx)
	if err != nil {
		return nil, err
	}
	next := 1
	if len(versions) > 0 {
		next = versions[len(versions)-1].N + 1
	}
	// Keep the rules being replaced: without a version of them there would
	// be nothing to roll back to.
	if cur, err := r.blob.Get(ctx, routing.ActiveKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes}); err == nil && !holds(versions, cur.ETag) {
		if _, err := r.blob.Put(ctx, VersionKey(next), cur.Data, store.PutOptions{ContentType: yamlType}); err != nil {
			return nil, fmt.Errorf("routing: archiving the active rules: %w", err)
		}
		ch.Archived = next
		next++
	} else if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrTooLarge) {
		return nil, fmt.Errorf("routing: reading %s: %w", routing.ActiveKey, err)
	}
	if _, err := r.blob.Put(ctx, VersionKey(next), data, store.PutOptions{ContentType: yamlType}); err != nil {
		return nil, fmt.Errorf("routing: storing the rules: %w", err)
	}
	if err := r.activate(ctx, rs, data, viaPut); err != nil {
		return nil, err
	}
	ch.Activated, ch.N, ch.Key = true, next, VersionKey(next)
	return ch, nil
}

// Rollback makes stored version n active again. It must still validate
// against the current catalog.
func (r *RuleStore) Rollback(ctx context.Context, n int) (*RulesChange, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	obj, err := r.blob.Get(ctx, VersionKey(n), store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	if errors.Is(err, store.ErrNotFound) {
		return nil, problem.New(http.StatusNotFound, "unknown_rules_version", "there is no rules version %d (GET /admin/rules/versions lists them)", n)
	}
	if err != nil {
		return nil, err
	}
	cat := r.cat.Current()
	rs, err := routing.ParseRules(routing.ActiveKey, obj.Data, cat)
	if err != nil {
		r.m.rejected.WithLabelValues(viaRollback).Inc()
		var ve *routing.ValidationError
		if errors.As(err, &ve) {
			p := invalidRulesProblem(ve)
			p.Status, p.Title = http.StatusConflict, http.StatusText(http.StatusConflict)
			p.Detail = fmt.Sprintf("version %d no longer validates against the catalog: %s", n, p.Detail)
			return nil, p
		}
		return nil, err
	}
	ch, err := r.dryRun(ctx, rs, cat)
	if err != nil {
		return nil, err
	}
	if err := r.activate(ctx, rs, obj.Data, viaRollback); err != nil {
		return nil, err
	}
	ch.Activated, ch.N, ch.Key = true, n, VersionKey(n)
	return ch, nil
}

// activate writes rules/active.yaml, then swaps: a replica that polls in
// between reads the same file. The caller holds mu.
func (r *RuleStore) activate(ctx context.Context, rs *routing.RuleSet, data []byte, via string) error {
	info, err := r.blob.Put(ctx, routing.ActiveKey, data, store.PutOptions{ContentType: yamlType})
	if err != nil {
		return fmt.Errorf("routing: writing %s: %w", routing.ActiveKey, err)
	}
	prev := r.engine.Swap(rs)
	r.activeETag, r.reported["rules"], r.badCatalog = info.ETag, "", nil
	r.m.swaps.WithLabelValues(via).Inc()
	r.log.Info("rules activated", "via", via, "rules_version", rs.Version(), "previous", prev.Version())
	return nil
}

// dryRun replays rules/reference.yaml against rs. A missing or broken
// reference file is reported, not fatal: it must not block fixing the rules.
func (r *RuleStore) dryRun(ctx context.Context, rs *routing.RuleSet, cat *catalog.Catalog) (*RulesChange, error) {
	ch := &RulesChange{RulesVersion: rs.Version(), PreviousVersion: r.engine.Rules().Version(), Rules: rs.Len(), Unmet: []string{}}
	var ref *routing.Reference
	obj, err := r.blob.Get(ctx, routing.ReferenceKey, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
		ch.ReferenceError = "the store has no " + routing.ReferenceKey + ": no orders replayed"
	case err != nil:
		ch.ReferenceError = err.Error()
	default:
		ref, err = routing.ParseReference(routing.ReferenceKey, obj.Data, cat)
		if err != nil {
			ch.ReferenceError = err.Error()
		}
	}
	var orders []routing.Order
	if ref != nil {
		orders = ref.List()
	}
	rep, err := r.engine.DryRun(ctx, rs, orders)
	if err != nil {
		return nil, err
	}
	ch.Report = rep
	if ref != nil {
		if unmet := ref.Unmet(rep); unmet != nil {
			ch.Unmet = unmet
		}
	}
	return ch, nil
}

// RulesVersion describes one stored version.
type RulesVersion struct {
	N            int       `json:"n"`
	Key          string    `json:"key"`
	RulesVersion string    `json:"rules_version"`
	StoredAt     time.Time `json:"stored_at"`
	// Active is true when the version's content is rules/active.yaml's
	// (identical versions are all active).
	Active bool `json:"active"`
	// Valid is false when the version no longer validates against the
	// current catalog; Problem says why.
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"`
	etag    string
}

// RulesVersions is GET /admin/rules/versions.
type RulesVersions struct {
	// Serving is the rules version this replica routes with.
	Serving  string         `json:"serving"`
	Versions []RulesVersion `json:"versions"`
}

// Versions lists the stored versions, oldest first.
func (r *RuleStore) Versions(ctx context.Context) (*RulesVersions, error) {
	versions, err := r.listVersions(ctx)
	if err != nil {
		return nil, err
	}
	activeTag := ""
	if info, err := r.blob.Stat(ctx, routing.ActiveKey); err == nil {
		activeTag = info.ETag
	}
	cat := r.cat.Current()
	out := &RulesVersions{Serving: r.engine.Rules().Version(), Versions: make([]RulesVersion, 0, len(versions))}
	for _, v := range versions {
		v.Active = activeTag != "" && v.etag == activeTag
		obj, err := r.blob.Get(ctx, v.Key, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
		if err != nil {
			v.Problem = err.Error()
			out.Versions = append(out.Versions, v)
			continue
		}
		if rs, err := routing.ParseRules(v.Key, obj.Data, cat); err == nil {
			v.Valid, v.RulesVersion = true, rs.Version()
		} else {
			v.Problem, v.RulesVersion = err.Error(), declaredVersion(obj.Data)
		}
		out.Versions = append(out.Versions, v)
	}
	return out, nil
}

// declaredVersion reads the version: of a rules file that does not
// validate, with routing's default (a digest of the file) when it has none.
func declaredVersion(data []byte) string {
	var top struct {
		Version string `yaml:"version"`
	}
	if err := yaml.Unmarshal(data, &top); err == nil && top.Version != "" {
		return top.Version
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// listVersions lists rules/versions/{n}.yaml by n, without reading them.
func (r *RuleStore) listVersions(ctx context.Context) ([]RulesVersion, error) {
	listing, err := r.blob.List(ctx, VersionsPrefix)
	if err != nil {
		return nil, fmt.Errorf("routing: listing %s: %w", VersionsPrefix, err)
	}
	var out []RulesVersion
	for _, info := range listing {
		m := versionKey.FindStringSubmatch(info.Key)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, RulesVersion{N: n, Key: info.Key, StoredAt: info.Modified.UTC(), etag: info.ETag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}

func holds(versions []RulesVersion, etag string) bool {
	for _, v := range versions {
		if v.etag == etag {
			return true
		}
	}
	return false
}

const yamlType = "application/yaml"

// yamlTypes are the Content-Types PUT /admin/rules accepts.
var yamlTypes = map[string]bool{"application/yaml": true, "text/yaml": true, "application/x-yaml": true, "text/x-yaml": true}

// putRules serves PUT /admin/rules[?dry_run=1]: the body is a rules file.
func (s *Server) putRules(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || !yamlTypes[mt] {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the rules file as application/yaml or text/yaml")
	}
	dry, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	ch, err := s.Rules.Put(c.UserContext(), bytes.Clone(c.Body()), dry)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ch)
}

// ruleVersions serves GET /admin/rules/versions.
func (s *Server) ruleVersions(c *fiber.Ctx) error {
	v, err := s.Rules.Versions(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

// rollbackRules serves POST /admin/rules/rollback/{n}.
func (s *Server) rollbackRules(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return problem.New(http.StatusBadRequest, "invalid_rules_version", "n must be a stored version number (1, 2, ...)").WithField("n")
	}
	ch, err := s.Rules.Rollback(c.UserContext(), n)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ch)
}

func boolParam(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem.New(http.StatusBadRequest, "invalid_parameter", "%s must be 1, 0, true or false", name).WithField(name)
	}
	return b, nil
}

// invalidRulesProblem lists every problem of a rules file with its line.
func invalidRulesProblem(ve *routing.ValidationError) *problem.Error {
	msgs := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		msgs[i] = p.String()
	}
	p := problem.Wrap(ve, http.StatusBadRequest, ve.Code(), "the rules file has %d problem(s); nothing was activated: %s",
		len(ve.Problems), strings.Join(msgs, "; "))
	problems := ve.Problems
	if problems == nil {
		problems = []routing.Problem{}
	}
	return p.With("problems", problems)
}
