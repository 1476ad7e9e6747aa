package variant

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
)

// planMemo keeps the plans of recent requests. A plan is a pure function of
// the catalog in force, the original, the SKU, view, locale and spec (and
// the service's fixed render settings), and making one costs a sha256 over
// the canonical key parts (twice for a P3 locale): 40 % of an L1 hit's
// handler time. Plans are remembered per catalog: a new catalog drops them
// all.
type planMemo struct {
	mu    sync.Mutex // guards cat; plans is safe on its own
	cat   *catalog.Catalog
	plans *lru.Cache[planKey, Plan]
}

// planKey is everything a plan depends on besides the catalog.
type planKey struct {
	orig              catalog.Original
	sku, view, locale string
	spec              transform.Spec
}

// planMemoSize bounds the memo: a plan is a few hundred bytes.
const planMemoSize = 8192

func newPlanMemo() *planMemo {
	plans, _ := lru.New[planKey, Plan](planMemoSize)
	return &planMemo{plans: plans}
}

// get returns the plan made for k under cat, or build's, remembered. A P3
// plan gets a gamut note of its own: Get records its decision there.
func (m *planMemo) get(cat *catalog.Catalog, k planKey, build func() Plan) Plan {
	m.mu.Lock()
	if m.cat != cat {
		m.cat = cat
		m.plans.Purge()
	}
	m.mu.Unlock()
	p, ok := m.plans.Get(k)
	if !ok {
		p = build()
		m.plans.Add(k, p)
	}
	if p.gamut != nil {
		p.gamut = &gamutNote{}
	}
	return p
}
