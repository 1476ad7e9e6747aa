package variant

import (
	"net/http"
	"slices"
	"strings"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
)

// MaxEnumerated bounds one enumeration (a warm-up request).
const MaxEnumerated = 100_000

// Selection narrows a hub's image set; empty lists mean everything the
// catalog has (formats: AVIF, WebP and JPEG).
type Selection struct {
	Hub     string
	SKUs    []string
	Locales []string
	Presets []string
	Formats []transform.Format
}

// Enumerate lists the plan of every preset variant a selection covers:
// SKUs × views × presets × formats × locales, with the hub's own photo
// where it has one. Locales sharing a colour profile share keys; callers
// that render skip repeated keys.
func (s *Service) Enumerate(cat *catalog.Catalog, sel Selection) ([]Plan, error) {
	skus, err := pick(skuIDs(cat), sel.SKUs, "skus")
	if err != nil {
		return nil, err
	}
	presets, err := pick(presetNames(cat), sel.Presets, "presets")
	if err != nil {
		return nil, err
	}
	locales, err := pick(localeTags(cat), sel.Locales, "locales")
	if err != nil {
		return nil, err
	}
	if len(locales) == 0 {
		locales = []string{""}
	}
	formats := sel.Formats
	if len(formats) == 0 {
		formats = []transform.Format{transform.AVIF, transform.WebP, transform.JPEG}
	}
	var plans []Plan
	for _, id := range skus {
		sku, _ := cat.SKU(id)
		for _, view := range sku.Views {
			orig, err := cat.Resolve(id, view, sel.Hub)
			if err != nil {
				return nil, err
			}
			plans = s.appendPresetPlans(plans, cat, orig, id, view, presets, formats, locales)
		}
		if len(plans) > MaxEnumerated {
			return nil, problem.New(http.StatusBadRequest, "invalid_warm", "the request covers %d variants, over %d: narrow it", len(plans), MaxEnumerated)
		}
	}
	return plans, nil
}

func (s *Service) appendPresetPlans(plans []Plan, cat *catalog.Catalog, orig catalog.Original, sku, view string,
	presets []string, formats []transform.Format, locales []string) []Plan {
	for _, pn := range presets {
		preset, _ := cat.Preset(pn)
		for _, f := range formats {
			for _, l := range locales {
				plans = append(plans, s.plan(cat, orig, sku, view, l, PresetSpec(preset, f)))
			}
		}
	}
	return plans
}

// pick is want checked against all, or all when want is empty.
func pick(all, want []string, field string) ([]string, error) {
	if len(want) == 0 {
		return all, nil
	}
	for _, w := range want {
		if !slices.Contains(all, w) {
			return nil, problem.New(http.StatusBadRequest, "invalid_warm", "%s %q is not in the catalog", field, w).WithField(field)
		}
	}
	return want, nil
}

func skuIDs(cat *catalog.Catalog) []string {
	out := make([]string, 0, len(cat.SKUs))
	for _, k := range cat.SKUs {
		out = append(out, k.ID)
	}
	return out
}

func presetNames(cat *catalog.Catalog) []string {
	out := make([]string, 0, len(cat.Presets))
	for _, p := range cat.Presets {
		out = append(out, p.Name)
	}
	return out
}

// localeTags are the catalog's locales in order.
func localeTags(cat *catalog.Catalog) []string {
	out := make([]string, 0, len(cat.Locales))
	for l := range cat.Locales {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// KeyVariant says which preset variant a cache key holds. Locales lists
// every locale sharing the key: locales with the same colour profile get
// the same bytes, so they share one cache entry.
type KeyVariant struct {
	View    string   `json:"view"`
	Preset  string   `json:"preset"`
	Format  string   `json:"format"`
	Hub     string   `json:"hub,omitempty"`
	Locales []string `json:"locales"`
}

// Describe names the variants behind cache keys. Keys are hashes, so it
// recomputes the keys of every preset variant of the SKUs involved (views
// × photos × presets × formats × locales: hundreds of hashes per SKU, well
// under a millisecond) and matches them; ad-hoc variants and keys of an
// older catalog stay unnamed.
func (s *Service) Describe(cat *catalog.Catalog, keys []string) map[string]*KeyVariant {
	out := make(map[string]*KeyVariant, len(keys))
	want := make(map[string]bool, len(keys))
	var skus []string
	for _, k := range keys {
		want[k] = true
		sku, _, _ := strings.Cut(k, "/")
		if !slices.Contains(skus, sku) {
			skus = append(skus, sku)
		}
	}
	formats := []transform.Format{transform.AVIF, transform.WebP, transform.JPEG, transform.PNG}
	locales := localeTags(cat)
	for _, id := range skus {
		sku, ok := cat.SKU(id)
		if !ok {
			continue
		}
		for _, view := range sku.Views {
			for _, hub := range append([]string{""}, cat.HubPhotos(id, view)...) {
				orig, err := cat.Resolve(id, view, hub)
				if err != nil {
					continue
				}
				for _, preset := range presetNames(cat) {
					for _, p := range s.appendPresetPlans(nil, cat, orig, id, view, []string{preset}, formats, locales) {
						s.noteKey(out, want, p, preset, hub)
					}
				}
			}
		}
	}
	return out
}

func (s *Service) noteKey(out map[string]*KeyVariant, want map[string]bool, p Plan, preset, hub string) {
	key := s.servedKey(p)
	if !want[key] {
		return
	}
	if kv := out[key]; kv != nil {
		kv.Locales = append(kv.Locales, p.Locale)
		return
	}
	out[key] = &KeyVariant{View: p.View, Preset: preset, Format: string(p.Spec.Format), Hub: hub, Locales: []string{p.Locale}}
}
