package routing

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// OverridesKey is where the operators' overrides live in the store; every
// replica polls it, so an override reaches all of them like a snapshot does.
const OverridesKey = "overrides.json"

// MaxOverrideTTL bounds how long an override may stay in force: an
// override is a stop-gap while a hub's feed is fixed, never a setting.
const MaxOverrideTTL = 30 * 24 * time.Hour

// MaxOverrides bounds overrides.json.
const MaxOverrides = 1000

// ReasonOverride is why a node disabled by an override is not chosen.
const ReasonOverride = "disabled_by_override"

// Override corrects what the inventory says about a hub until it expires:
// Qty replaces the hub's count of SKU; Disabled takes the hub out of
// routing (or only SKU at the hub when SKU is set).
type Override struct {
	ID        string    `json:"id"`
	Hub       string    `json:"hub"`
	SKU       string    `json:"sku,omitempty"`
	Qty       *int      `json:"qty,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	Reason    string    `json:"reason"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	// Operator is who set it: the X-Operator header, else the admin token's
	// position in the token file ("token#1").
	Operator string `json:"operator"`
}

// Active reports whether the override is in force at now.
func (o *Override) Active(now time.Time) bool { return now.Before(o.ExpiresAt) }

func (o *Override) label() string { return "override:" + o.ID }

// Check validates an override's own fields (the catalog checks, hub and
// SKU ids, are the caller's). It returns the offending field.
func (o *Override) Check(now time.Time) (field, msg string) {
	switch {
	case o.Hub == "":
		return "hub", "hub is required"
	case o.Disabled == (o.Qty != nil):
		return "qty", "give either qty (with sku) or disabled: true"
	case o.Qty != nil && o.SKU == "":
		return "sku", "a qty override needs the sku it counts"
	case o.Qty != nil && (*o.Qty < 0 || *o.Qty > maxQty):
		return "qty", fmt.Sprintf("qty must be within 0..%d", maxQty)
	case o.Reason == "":
		return "reason", "say why (it is shown to every operator)"
	case o.ExpiresAt.IsZero():
		return "expires_at", "expires_at is required (RFC 3339): overrides must end by themselves"
	case !o.ExpiresAt.After(now):
		return "expires_at", "expires_at is in the past"
	case o.ExpiresAt.Sub(now) > MaxOverrideTTL:
		return "expires_at", "expires_at is more than " + MaxOverrideTTL.String() + " away"
	}
	return "", ""
}

// Now is the engine's clock: overrides and patches are stamped with it.
func (e *Engine) Now() time.Time { return e.clock() }

// SetOverrides replaces the overrides the engine applies. Expired ones may
// be included: each decision ignores those past their expires_at.
func (e *Engine) SetOverrides(list []Override) {
	if len(list) == 0 {
		e.ovr.Store(nil)
		return
	}
	byHub := map[string][]Override{}
	for _, o := range list {
		byHub[o.Hub] = append(byHub[o.Hub], o)
	}
	for _, l := range byHub {
		// Later overrides win over earlier ones for the same SKU.
		slices.SortStableFunc(l, func(a, b Override) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	e.ovr.Store(&byHub)
}

// nodeOverrides are one node's overrides during one decision.
type nodeOverrides struct {
	list []Override
	now  time.Time
}

func (e *Engine) overridesFor(hub string, now time.Time) nodeOverrides {
	m := e.ovr.Load()
	if m == nil {
		return nodeOverrides{}
	}
	return nodeOverrides{list: (*m)[hub], now: now}
}

func (n nodeOverrides) disabledHub() *Override {
	for i := range n.list {
		if o := &n.list[i]; o.Disabled && o.SKU == "" && o.Active(n.now) {
			return o
		}
	}
	return nil
}

func (n nodeOverrides) touches() bool {
	for i := range n.list {
		if n.list[i].Active(n.now) {
			return true
		}
	}
	return false
}

// qty is the count routing uses for sku: the last active override's, a
// disabled SKU holding nothing.
func (n nodeOverrides) qty(sku string, held int) int {
	for i := range n.list {
		o := &n.list[i]
		if o.SKU != sku || !o.Active(n.now) {
			continue
		}
		switch {
		case o.Disabled:
			held = 0
		case o.Qty != nil:
			held = *o.Qty
		}
	}
	return held
}

type overridesFile struct {
	Overrides []Override `json:"overrides"`
}

// StoreOverrides keeps overrides.json and the engine in step: Refresh
// loads it by ETag, Add and Remove rewrite it; each change is handed to
// apply (Engine.SetOverrides).
//
// Replicas write with read-modify-write under this replica's lock only (the
// store has no conditional put): two operators adding overrides on two
// replicas in the same instant may lose one; the response lists what was
// stored, and GET /admin/overrides shows what is in force.
type StoreOverrides struct {
	blob  store.Blob
	apply func([]Override)
	mu    sync.Mutex
	etag  string
	cur   []Override
}

// NewStoreOverrides returns an empty set; call Refresh.
func NewStoreOverrides(blob store.Blob, apply func([]Override)) *StoreOverrides {
	return &StoreOverrides{blob: blob, apply: apply}
}

// Refresh loads overrides.json when its ETag changed; a missing file means
// none. It reports whether the set changed. A broken file keeps the last
// good set.
func (s *StoreOverrides) Refresh(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked(ctx)
}

func (s *StoreOverrides) refreshLocked(ctx context.Context) (bool, error) {
	obj, err := s.blob.Get(ctx, OverridesKey, store.GetOptions{IfNoneMatch: s.etag, MaxBytes: MaxSnapshotBytes})
	switch {
	case errors.Is(err, store.ErrNotModified):
		return false, nil
	case errors.Is(err, store.ErrNotFound):
		if s.etag == "" && s.cur == nil {
			return false, nil
		}
		s.etag, s.cur = "", nil
		s.apply(nil)
		return true, nil
	case err != nil:
		return false, fmt.Errorf("routing: reading %s: %w", OverridesKey, err)
	}
	list, err := ParseOverrides(obj.Data)
	if err != nil {
		return false, err
	}
	s.etag, s.cur = obj.ETag, list
	s.apply(slices.Clone(list))
	return true, nil
}

// ParseOverrides decodes overrides.json strictly.
func ParseOverrides(data []byte) ([]Override, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f overridesFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", OverridesKey, err)
	}
	for i, o := range f.Overrides {
		if o.ID == "" || o.Hub == "" || o.ExpiresAt.IsZero() {
			return nil, fmt.Errorf("%s: overrides[%d] needs id, hub and expires_at", OverridesKey, i)
		}
	}
	return f.Overrides, nil
}

// Active lists the overrides in force at now, oldest first.
func (s *StoreOverrides) Active(now time.Time) []Override {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Override{}
	for _, o := range s.cur {
		if o.Active(now) {
			out = append(out, o)
		}
	}
	return out
}

// Add stores a new override (its ID and CreatedAt are set here) and drops
// expired ones from the file. The caller has checked it.
func (s *StoreOverrides) Add(ctx context.Context, o Override, now time.Time) (Override, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.refreshLocked(ctx); err != nil {
		return Override{}, err
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	o.ID, o.CreatedAt = "ovr-"+hex.EncodeToString(id[:]), now.UTC()
	next := make([]Override, 0, len(s.cur)+1)
	for _, c := range s.cur {
		if c.Active(now) {
			next = append(next, c)
		}
	}
	if len(next) >= MaxOverrides {
		return Override{}, fmt.Errorf("routing: %d overrides are in force already", len(next))
	}
	next = append(next, o)
	return o, s.writeLocked(ctx, next)
}

// Remove deletes an override; ok is false when no override has that id.
func (s *StoreOverrides) Remove(ctx context.Context, id string, now time.Time) (Override, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.refreshLocked(ctx); err != nil {
		return Override{}, false, err
	}
	i := slices.IndexFunc(s.cur, func(o Override) bool { return o.ID == id })
	if i < 0 {
		return Override{}, false, nil
	}
	gone := s.cur[i]
	next := make([]Override, 0, len(s.cur))
	for j, c := range s.cur {
		if j != i && c.Active(now) {
			next = append(next, c)
		}
	}
	return gone, true, s.writeLocked(ctx, next)
}

func (s *StoreOverrides) writeLocked(ctx context.Context, list []Override) error {
	data, err := json.MarshalIndent(overridesFile{Overrides: list}, "", "  ")
	if err != nil {
		return err
	}
	info, err := s.blob.Put(ctx, OverridesKey, append(data, '\n'), store.PutOptions{ContentType: "application/json"})
	if err != nil {
		return fmt.Errorf("routing: writing %s: %w", OverridesKey, err)
	}
	s.etag, s.cur = info.ETag, list
	s.apply(slices.Clone(list))
	return nil
}
