package routing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// Level is a hub's stock of one SKU and when it was counted.
type Level struct {
	Qty  int
	AsOf time.Time
}

// Inventory is the stock view routing reads: per hub and SKU, the quantity
// and the time the data was taken (the engine turns it into an age with its
// own clock). It is called per node per line on every decision, so
// implementations answer from memory.
type Inventory interface {
	// Level reports a hub's stock of a SKU. ok is false when there is no
	// data for the hub at all; a hub whose data does not list the SKU holds
	// 0 of it, as of its data's time.
	Level(hub, sku string) (l Level, ok bool)
}

// Snapshot is one hub's stock, the content of inventory/{hub}.json:
//
//	{"seq": 1842, "as_of": "2026-03-27T12:59:30Z", "items": {"amber-oud-50ml": 12}}
type Snapshot struct {
	// Seq increases with every snapshot a hub publishes; a lower one than
	// the current is a late write and is ignored.
	Seq   int64          `json:"seq"`
	AsOf  time.Time      `json:"as_of"`
	Items map[string]int `json:"items"`
}

// snapshots is a copy-on-write hub → snapshot map: Level reads one atomic
// pointer and two map lookups, writers replace the whole map.
type snapshots struct {
	mu  sync.Mutex // serialises writers
	cur atomic.Pointer[map[string]*Snapshot]
}

func (s *snapshots) level(hub, sku string) (Level, bool) {
	m := s.cur.Load()
	if m == nil {
		return Level{}, false
	}
	snap := (*m)[hub]
	if snap == nil {
		return Level{}, false
	}
	return Level{Qty: snap.Items[sku], AsOf: snap.AsOf}, true
}

// lists reports whether the hub's snapshot names the SKU (at any count).
func (s *snapshots) lists(hub, sku string) bool {
	snap, ok := s.get(hub)
	if !ok {
		return false
	}
	_, listed := snap.Items[sku]
	return listed
}

// Stocker is implemented by inventories that can tell whether a hub
// carries a SKU at all (lists it, even at zero), as opposed to holding
// units of it now. Returns use it to decide whether an item can be
// restocked at a hub.
type Stocker interface {
	Stocks(hub, sku string) bool
}

func (s *snapshots) get(hub string) (*Snapshot, bool) {
	m := s.cur.Load()
	if m == nil {
		return nil, false
	}
	snap, ok := (*m)[hub]
	return snap, ok
}

// update applies fn to a copy of the map and publishes it.
func (s *snapshots) update(fn func(m map[string]*Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[string]*Snapshot{}
	if m := s.cur.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	fn(next)
	s.cur.Store(&next)
}

// StaticInventory is an in-memory Inventory for tests, the demo and tools.
// It is safe for concurrent use; Set replaces a hub's snapshot atomically.
type StaticInventory struct{ snaps snapshots }

var _ Inventory = (*StaticInventory)(nil)

// NewStaticInventory returns an empty inventory: every hub has no data.
func NewStaticInventory() *StaticInventory { return &StaticInventory{} }

// Set replaces a hub's stock. The items map is copied.
func (s *StaticInventory) Set(hub string, asOf time.Time, items map[string]int) {
	snap := &Snapshot{AsOf: asOf, Items: make(map[string]int, len(items))}
	for k, v := range items {
		snap.Items[k] = v
	}
	s.snaps.update(func(m map[string]*Snapshot) {
		if prev := m[hub]; prev != nil {
			snap.Seq = prev.Seq + 1
		}
		m[hub] = snap
	})
}

// Remove drops a hub's data, as if its feed never arrived.
func (s *StaticInventory) Remove(hub string) {
	s.snaps.update(func(m map[string]*Snapshot) { delete(m, hub) })
}

// Level implements Inventory.
func (s *StaticInventory) Level(hub, sku string) (Level, bool) { return s.snaps.level(hub, sku) }

// Stocks reports whether the hub's snapshot lists the SKU.
func (s *StaticInventory) Stocks(hub, sku string) bool { return s.snaps.lists(hub, sku) }

// InventoryPrefix is where hub snapshots live in the store.
const InventoryPrefix = "inventory/"

// MaxSnapshotBytes bounds one inventory/{hub}.json.
const MaxSnapshotBytes = 16 << 20

var hubKey = regexp.MustCompile(`^inventory/([a-z0-9][a-z0-9-]{0,63})\.json$`)

// StoreInventory reads inventory/{hub}.json snapshots from a store.
// Refresh loads what changed (by ETag); Level answers from memory. A
// snapshot that fails to parse leaves that hub's last good one in place.
type StoreInventory struct {
	blob  store.Blob
	snaps snapshots
	mu    sync.Mutex        // serialises Refresh
	etags map[string]string // hub → ETag of its current snapshot
}

var _ Inventory = (*StoreInventory)(nil)

// NewStoreInventory returns a StoreInventory with no data; call Refresh.
func NewStoreInventory(blob store.Blob) *StoreInventory {
	return &StoreInventory{blob: blob, etags: map[string]string{}}
}

// Level implements Inventory.
func (s *StoreInventory) Level(hub, sku string) (Level, bool) { return s.snaps.level(hub, sku) }

// Stocks reports whether the hub's snapshot lists the SKU.
func (s *StoreInventory) Stocks(hub, sku string) bool { return s.snaps.lists(hub, sku) }

// Snapshot returns a hub's current snapshot (shared: do not modify it).
func (s *StoreInventory) Snapshot(hub string) (*Snapshot, bool) { return s.snaps.get(hub) }

// Refresh lists inventory/ and loads every snapshot whose ETag changed.
// Hubs whose file disappeared lose their data. It returns how many hubs
// changed and every per-hub problem joined; good hubs are applied even when
// others fail.
func (s *StoreInventory) Refresh(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	listing, err := s.blob.List(ctx, InventoryPrefix)
	if err != nil {
		return 0, fmt.Errorf("routing: listing %s: %w", InventoryPrefix, err)
	}
	var errs []error
	loaded := map[string]*Snapshot{}
	newTags := map[string]string{}
	present := map[string]bool{}
	for _, info := range listing {
		m := hubKey.FindStringSubmatch(info.Key)
		if m == nil {
			continue
		}
		hub := m[1]
		present[hub] = true
		snap, tag, err := s.fetch(ctx, hub, info)
		switch {
		case err != nil:
			errs = append(errs, err)
		case snap != nil:
			loaded[hub], newTags[hub] = snap, tag
		}
	}
	var gone []string
	for hub := range s.etags {
		if !present[hub] {
			gone = append(gone, hub)
		}
	}
	if len(loaded) > 0 || len(gone) > 0 {
		s.apply(loaded, newTags, gone)
	}
	return len(loaded) + len(gone), errors.Join(errs...)
}

// fetch loads a hub's snapshot and its ETag when the file changed since
// the last load; nil and no error when it did not. A snapshot older (by
// seq) than the loaded one is refused: feeds may deliver out of order.
// The caller holds mu.
func (s *StoreInventory) fetch(ctx context.Context, hub string, info store.Info) (*Snapshot, string, error) {
	if tag, ok := s.etags[hub]; ok && tag == info.ETag && info.ETag != "" {
		return nil, "", nil
	}
	obj, err := s.blob.Get(ctx, info.Key, store.GetOptions{IfNoneMatch: s.etags[hub], MaxBytes: MaxSnapshotBytes})
	if errors.Is(err, store.ErrNotModified) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("routing: %s: %w", info.Key, err)
	}
	snap, err := ParseSnapshot(obj.Data)
	if err != nil {
		return nil, "", fmt.Errorf("routing: %s: %w", info.Key, err)
	}
	if cur, ok := s.snaps.get(hub); ok && snap.Seq < cur.Seq {
		return nil, "", fmt.Errorf("routing: %s: seq %d is older than the loaded %d; kept the loaded one", info.Key, snap.Seq, cur.Seq)
	}
	return snap, obj.ETag, nil
}

// apply swaps the loaded snapshots in and the vanished hubs out, in one
// update so a decision sees the whole refresh or none of it. The caller
// holds mu.
func (s *StoreInventory) apply(loaded map[string]*Snapshot, tags map[string]string, gone []string) {
	s.snaps.update(func(m map[string]*Snapshot) {
		for hub, snap := range loaded {
			m[hub] = snap
		}
		for _, hub := range gone {
			delete(m, hub)
		}
	})
	for hub, tag := range tags {
		s.etags[hub] = tag
	}
	for _, hub := range gone {
		delete(s.etags, hub)
	}
}

// ParseSnapshot decodes and checks an inventory/{hub}.json document.
// Unknown fields are errors: a feed that renamed a field must not be read
// as "everything is out of stock".
func ParseSnapshot(data []byte) (*Snapshot, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var snap Snapshot
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("inventory snapshot: %w", err)
	}
	if dec.More() {
		return nil, errors.New("inventory snapshot: trailing data after the JSON object")
	}
	var problems []string
	if snap.Seq < 0 {
		problems = append(problems, "seq must not be negative")
	}
	if snap.AsOf.IsZero() {
		problems = append(problems, "as_of is required (RFC 3339)")
	}
	if snap.Items == nil {
		problems = append(problems, `items is required ({"sku": qty})`)
	}
	for _, sku := range sortedKeys(snap.Items) {
		if snap.Items[sku] < 0 {
			problems = append(problems, fmt.Sprintf("items[%q] is negative (%d)", sku, snap.Items[sku]))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("inventory snapshot: " + strings.Join(problems, "; "))
	}
	return &snap, nil
}
