package rulestore

import (
	"context"
	"errors"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

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
// makes it active. Errors are *routing.ValidationError (nothing stored),
// *UnavailableError, or the store's own.
func (r *Store) Put(ctx context.Context, data []byte, dryRun bool) (*RulesChange, error) {
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
			return nil, storeFailed("archiving the active rules", err)
		}
		ch.Archived = next
		next++
	} else if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrTooLarge) {
		return nil, storeFailed("reading "+routing.ActiveKey, err)
	}
	if _, err := r.blob.Put(ctx, VersionKey(next), data, store.PutOptions{ContentType: yamlType}); err != nil {
		return nil, storeFailed("storing the rules", err)
	}
	if err := r.activate(ctx, rs, data, viaPut); err != nil {
		return nil, err
	}
	ch.Activated, ch.N, ch.Key = true, next, VersionKey(next)
	return ch, nil
}

// Rollback makes stored version n active again. It must still validate
// against the current catalog. Errors are *UnknownVersionError,
// *StaleVersionError, *TooLargeError, *UnavailableError, or the store's own.
func (r *Store) Rollback(ctx context.Context, n int) (*RulesChange, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	obj, err := r.blob.Get(ctx, VersionKey(n), store.GetOptions{MaxBytes: routing.MaxRulesBytes})
	if errors.Is(err, store.ErrNotFound) {
		return nil, &UnknownVersionError{N: n}
	}
	if errors.Is(err, store.ErrTooLarge) {
		return nil, &TooLargeError{Key: VersionKey(n)}
	}
	if err != nil {
		return nil, storeFailed("reading "+VersionKey(n), err)
	}
	cat := r.cat.Current()
	rs, err := routing.ParseRules(routing.ActiveKey, obj.Data, cat)
	if err != nil {
		r.m.rejected.WithLabelValues(viaRollback).Inc()
		var ve *routing.ValidationError
		if errors.As(err, &ve) {
			return nil, &StaleVersionError{N: n, Invalid: ve}
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
func (r *Store) activate(ctx context.Context, rs *routing.RuleSet, data []byte, via string) error {
	info, err := r.blob.Put(ctx, routing.ActiveKey, data, store.PutOptions{ContentType: yamlType})
	if err != nil {
		return storeFailed("writing "+routing.ActiveKey, err)
	}
	prev := r.engine.Swap(rs)
	r.activeETag, r.reported["rules"], r.badCatalog = info.ETag, "", nil
	r.m.swaps.WithLabelValues(via).Inc()
	r.log.Info("rules activated", "via", via, "rules_version", rs.Version(), "previous", prev.Version())
	return nil
}

// dryRun replays rules/reference.yaml against rs. A missing or broken
// reference file is reported, not fatal: it must not block fixing the rules.
func (r *Store) dryRun(ctx context.Context, rs *routing.RuleSet, cat *catalog.Catalog) (*RulesChange, error) {
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
