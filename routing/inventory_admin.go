package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// StaleSeqError refuses a snapshot or patch whose seq is not above the held
// one: applying it would move stock back in time. Duplicate is true when the
// seq equals the held one (a retry of what is already applied).
type StaleSeqError struct {
	Hub       string
	Seq, Held int64
	Duplicate bool
}

func (e *StaleSeqError) Error() string {
	if e.Duplicate {
		return fmt.Sprintf("inventory %s: seq %d is already applied", e.Hub, e.Seq)
	}
	return fmt.Sprintf("inventory %s: seq %d is not above the held seq %d", e.Hub, e.Seq, e.Held)
}

// ErrNoSnapshot refuses a patch for a hub with no snapshot to apply it to.
var ErrNoSnapshot = errors.New("routing: the hub has no snapshot to patch; PUT a full snapshot first")

// InventoryKey is the store key of a hub's snapshot.
func InventoryKey(hub string) string { return InventoryPrefix + hub + ".json" }

// Stored is a snapshot as written to the store.
type Stored struct {
	Hub      string    `json:"hub"`
	Key      string    `json:"key"`
	ETag     string    `json:"etag"`
	Snapshot *Snapshot `json:"snapshot"`
}

// Patch is a change to a hub's held snapshot: each item's delta is added to
// its count (a result below 0 is 0). A zero AsOf means the caller's now.
type Patch struct {
	Seq   int64          `json:"seq"`
	AsOf  time.Time      `json:"as_of"`
	Items map[string]int `json:"items"`
}

// Publish stores a full snapshot of a hub and applies it here at once;
// other replicas load it on their next poll. A seq not above the held one
// (this replica's, or the store's when another replica wrote a newer one)
// is *StaleSeqError and nothing is written. The snapshot is checked with
// ParseSnapshot's rules; catalog checks are the caller's.
func (s *StoreInventory) Publish(ctx context.Context, hub string, snap Snapshot) (*Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, err := s.heldLocked(ctx, hub)
	if err != nil {
		return nil, err
	}
	if err := checkSeq(hub, snap.Seq, held); err != nil {
		return nil, err
	}
	return s.writeLocked(ctx, hub, &snap)
}

// ApplyPatch adds a patch's deltas to the held snapshot and publishes the
// result with the patch's seq, under the same ordering rule as Publish.
func (s *StoreInventory) ApplyPatch(ctx context.Context, hub string, p Patch) (*Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, err := s.heldLocked(ctx, hub)
	if err != nil {
		return nil, err
	}
	if held == nil {
		return nil, ErrNoSnapshot
	}
	if err := checkSeq(hub, p.Seq, held); err != nil {
		return nil, err
	}
	next := &Snapshot{Seq: p.Seq, AsOf: p.AsOf, Items: make(map[string]int, len(held.Items)+len(p.Items))}
	for sku, q := range held.Items {
		next.Items[sku] = q
	}
	for sku, d := range p.Items {
		next.Items[sku] = min(max(next.Items[sku]+d, 0), maxQty)
	}
	return s.writeLocked(ctx, hub, next)
}

func checkSeq(hub string, seq int64, held *Snapshot) error {
	if held == nil || seq > held.Seq {
		return nil
	}
	return &StaleSeqError{Hub: hub, Seq: seq, Held: held.Seq, Duplicate: seq == held.Seq}
}

// heldLocked is the newer of this replica's snapshot and the store's: a
// replica that has not polled yet must not accept a seq another one already
// superseded. A store copy that does not parse is ignored (Refresh reports
// it). The caller holds mu.
func (s *StoreInventory) heldLocked(ctx context.Context, hub string) (*Snapshot, error) {
	held, _ := s.snaps.get(hub)
	obj, err := s.blob.Get(ctx, InventoryKey(hub), store.GetOptions{MaxBytes: MaxSnapshotBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return held, nil
	case err != nil:
		return nil, fmt.Errorf("routing: reading %s: %w", InventoryKey(hub), err)
	}
	if snap, perr := ParseSnapshot(obj.Data); perr == nil && (held == nil || snap.Seq > held.Seq) {
		held = snap
		s.applyLocked(hub, snap, obj.ETag)
	}
	return held, nil
}

func (s *StoreInventory) writeLocked(ctx context.Context, hub string, snap *Snapshot) (*Stored, error) {
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := ParseSnapshot(data); err != nil {
		return nil, err
	}
	info, err := s.blob.Put(ctx, InventoryKey(hub), append(data, '\n'), store.PutOptions{ContentType: "application/json"})
	if err != nil {
		return nil, fmt.Errorf("routing: writing %s: %w", InventoryKey(hub), err)
	}
	s.applyLocked(hub, snap, info.ETag)
	return &Stored{Hub: hub, Key: InventoryKey(hub), ETag: info.ETag, Snapshot: snap}, nil
}

// applyLocked makes snap the hub's snapshot here, as Refresh would after
// reading it with that ETag. The caller holds mu.
func (s *StoreInventory) applyLocked(hub string, snap *Snapshot, etag string) {
	s.snaps.update(func(m map[string]*Snapshot) { m[hub] = snap })
	s.etags[hub] = etag
}

// ReconcileLine is one SKU whose physical count differs from the snapshot.
type ReconcileLine struct {
	SKU     string `json:"sku"`
	Held    int    `json:"held"`
	Counted int    `json:"counted"`
	// Diff is Counted - Held: negative when the shelf holds less than
	// routing believes (the dangerous direction: overselling).
	Diff int `json:"diff"`
}

// Reconciliation compares a physical count with a hub's held snapshot.
type Reconciliation struct {
	Hub  string    `json:"hub"`
	Seq  int64     `json:"seq"`
	AsOf time.Time `json:"as_of"`
	// Differences lists the counted SKUs whose count differs, by SKU.
	Differences []ReconcileLine `json:"differences"`
	Matching    int             `json:"matching"`
	// Uncounted are SKUs the snapshot holds units of that the count omits.
	Uncounted []string `json:"uncounted"`
}

// Reconcile compares counted with held (nil: no snapshot, every count is a
// difference from 0). It changes nothing.
func Reconcile(hub string, held *Snapshot, counted map[string]int) *Reconciliation {
	r := &Reconciliation{Hub: hub, Differences: []ReconcileLine{}, Uncounted: []string{}}
	var items map[string]int
	if held != nil {
		r.Seq, r.AsOf, items = held.Seq, held.AsOf, held.Items
	}
	for _, sku := range sortedKeys(counted) {
		h, c := items[sku], counted[sku]
		if h == c {
			r.Matching++
			continue
		}
		r.Differences = append(r.Differences, ReconcileLine{SKU: sku, Held: h, Counted: c, Diff: c - h})
	}
	for sku, q := range items {
		if _, ok := counted[sku]; !ok && q > 0 {
			r.Uncounted = append(r.Uncounted, sku)
		}
	}
	sort.Strings(r.Uncounted)
	return r
}
