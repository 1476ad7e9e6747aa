package variant

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
)

// TestPlanMemo: a plan is made once per key and catalog; a new catalog
// makes it again; each P3 plan handed out has its own gamut note.
func TestPlanMemo(t *testing.T) {
	m := newPlanMemo()
	made := 0
	newPlan := func(key string) func() Plan {
		return func() Plan { made++; return Plan{Key: key, gamut: &gamutNote{}} }
	}
	cat1, cat2 := &catalog.Catalog{}, &catalog.Catalog{}
	k := planKey{orig: catalog.Original{Key: "originals/a/front.jpg", ETag: `"1"`}, sku: "a", view: "front", locale: "ja-JP",
		spec: transform.Spec{Width: 200, Format: transform.WebP}}
	p1 := m.get(cat1, k, newPlan("a/1"))
	p2 := m.get(cat1, k, newPlan("a/2"))
	if made != 1 || p2.Key != "a/1" {
		t.Fatalf("two gets of one key made %d plans (second key %q), want 1 and a/1", made, p2.Key)
	}
	if p1.gamut == p2.gamut {
		t.Error("two requests share one gamut note: one's decision would show in the other's header")
	}
	other := k
	other.spec.Width = 400
	if p := m.get(cat1, other, newPlan("a/3")); p.Key != "a/3" || made != 2 {
		t.Errorf("another spec got %q after %d makes, want its own plan", p.Key, made)
	}
	if p := m.get(cat2, k, newPlan("a/4")); p.Key != "a/4" || made != 3 {
		t.Errorf("a new catalog got %q after %d makes, want a plan made under it", p.Key, made)
	}
}
