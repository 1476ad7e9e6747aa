package routing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/store"
)

var demoCatalogYAML = func() string {
	b, err := os.ReadFile("../demo/catalog.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// demoCatalog parses demo/catalog.yaml, optionally with extra hubs spliced
// in before its carriers: section (each a YAML list item at hub indent).
func demoCatalog(t testing.TB, extraHubs ...string) *catalog.Catalog {
	t.Helper()
	src := demoCatalogYAML
	if len(extraHubs) > 0 {
		if strings.Count(src, "\ncarriers:\n") != 1 {
			t.Fatal("demo catalog: cannot find the carriers: section")
		}
		src = strings.Replace(src, "\ncarriers:\n", "\n"+strings.Join(extraHubs, "")+"\ncarriers:\n", 1)
	}
	c, err := catalog.Parse("demo/catalog.yaml", []byte(src))
	if err != nil {
		t.Fatalf("demo catalog: %v", err)
	}
	return c
}

// berlinHub is a second EU hub for tests that need two hubs to compete:
// same carriers as Warsaw, nearer to Germany.
const berlinHub = `  - id: eu-ber
    name: Berlin hub
    region: EU
    country: DE
    lat: 52.52
    lon: 13.40
    tz: Europe/Berlin
    cutoff: "14:00"
    carriers: [inpost, dhl-eu]
`

func mustRules(t testing.TB, cat *catalog.Catalog, src string) *RuleSet {
	t.Helper()
	rs, err := ParseRules("test.yaml", []byte(src), cat)
	if err != nil {
		t.Fatalf("ParseRules: %v", err)
	}
	return rs
}

func fixed(t time.Time) Clock { return func() time.Time { return t } }

// warsaw is a wall-clock time in Warsaw.
func warsaw(y int, m time.Month, d, hh, mm int) time.Time {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

// stocked is an inventory where each listed hub holds the given units,
// counted at asOf.
func stocked(asOf time.Time, hubs map[string]map[string]int) *StaticInventory {
	inv := NewStaticInventory()
	for hub, items := range hubs {
		inv.Set(hub, asOf, items)
	}
	return inv
}

func newEngine(t testing.TB, rs *RuleSet, inv Inventory, now time.Time) *Engine {
	t.Helper()
	e, err := New(DefaultConfig(), rs, inv, fixed(now))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func one(sku string, qty int) []Line { return []Line{{SKU: sku, Qty: qty}} }

func to(country string) Destination { return Destination{Country: country} }

// alt finds a node among a decision's alternatives.
func alt(alts []Alternative, id string) (Alternative, bool) {
	for _, a := range alts {
		if a.Node.ID == id {
			return a, true
		}
	}
	return Alternative{}, false
}

// memBlob is a tiny in-memory store.Blob: tests stay above the interface.
type memBlob struct {
	mu   sync.Mutex
	objs map[string]store.Object
	n    int
}

var _ store.Blob = (*memBlob)(nil)

func newMemBlob() *memBlob { return &memBlob{objs: map[string]store.Object{}} }

func (m *memBlob) Get(_ context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objs[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, store.ErrNotFound)
	}
	if opts.IfNoneMatch != "" && opts.IfNoneMatch == o.ETag {
		return nil, store.ErrNotModified
	}
	if opts.MaxBytes > 0 && o.Size > opts.MaxBytes {
		return nil, store.ErrTooLarge
	}
	return &store.Object{Info: o.Info, Data: append([]byte(nil), o.Data...)}, nil
}

func (m *memBlob) Put(_ context.Context, key string, data []byte, _ store.PutOptions) (store.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	info := store.Info{Key: key, Size: int64(len(data)), ETag: fmt.Sprintf(`"%d"`, m.n), Modified: time.Unix(int64(m.n), 0)}
	m.objs[key] = store.Object{Info: info, Data: append([]byte(nil), data...)}
	return info, nil
}

func (m *memBlob) Stat(_ context.Context, key string) (store.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objs[key]
	if !ok {
		return store.Info{}, store.ErrNotFound
	}
	return o.Info, nil
}

func (m *memBlob) List(_ context.Context, prefix string) ([]store.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Info
	for k, o := range m.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, o.Info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (m *memBlob) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, key)
	return nil
}

func asNoNode(t *testing.T, err error) *NoNodeError {
	t.Helper()
	var nn *NoNodeError
	if !errors.As(err, &nn) {
		t.Fatalf("err = %v, want *NoNodeError", err)
	}
	return nn
}

func slicesDeleteHub(hubs []catalog.Hub, id string) []catalog.Hub {
	var out []catalog.Hub
	for _, h := range hubs {
		if h.ID != id {
			out = append(out, h)
		}
	}
	return out
}
