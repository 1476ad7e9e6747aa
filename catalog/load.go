package catalog

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/edgeshelf/edgeshelf/store"
)

// Key is where the catalog lives in a store.
const Key = "catalog.yaml"

// OriginalsPrefix is where master and hub photos live in a store.
const OriginalsPrefix = "originals/"

// SourceExts are the file extensions an original may have, in the order they
// are preferred when a view has more than one. SVG is indexed so that a
// stray vector original gets a clear "not rendered" error instead of a 404.
var SourceExts = []string{"jpg", "jpeg", "png", "webp", "avif", "heic", "heif", "tif", "tiff", "gif", "svg"}

// Load reads catalog.yaml from the store, validates it, and indexes the
// originals so every declared view resolves to a stored photo. A view without
// an original is a validation error: it would only ever serve 404s.
func Load(ctx context.Context, blob store.Blob) (*Catalog, store.Info, error) {
	obj, err := blob.Get(ctx, Key, store.GetOptions{MaxBytes: MaxCatalogBytes})
	if err != nil {
		return nil, store.Info{}, fmt.Errorf("catalog: %w", err)
	}
	c, err := Parse(Key, obj.Data)
	if err != nil {
		return nil, obj.Info, err
	}
	listing, err := blob.List(ctx, OriginalsPrefix)
	if err != nil {
		return nil, obj.Info, fmt.Errorf("catalog: listing %s: %w", OriginalsPrefix, err)
	}
	if v := c.indexOriginals(listing); v != nil {
		v.locate(obj.Data)
		return nil, obj.Info, invalid(Key, v.errs)
	}
	return c, obj.Info, nil
}

// indexOriginals maps each SKU view (and view@hub) to its stored key; it
// returns the views that have no original, or nil.
func (c *Catalog) indexOriginals(listing []store.Info) *validator {
	rank := map[string]int{}
	for i, e := range SourceExts {
		rank[e] = i
	}
	c.originals = map[string]store.Info{}
	best := map[string]int{}
	for _, info := range listing {
		rel := strings.TrimPrefix(info.Key, OriginalsPrefix)
		sku, file, ok := strings.Cut(rel, "/")
		if !ok || strings.Contains(file, "/") {
			continue
		}
		ext := strings.ToLower(strings.TrimPrefix(path.Ext(file), "."))
		r, known := rank[ext]
		if !known {
			continue
		}
		id := sku + "/" + strings.TrimSuffix(file, path.Ext(file))
		if prev, seen := best[id]; seen && prev <= r {
			continue
		}
		best[id] = r
		c.originals[id] = info
	}
	v := &validator{}
	for i, s := range c.SKUs {
		for j, view := range s.Views {
			if _, ok := c.originals[s.ID+"/"+view]; !ok {
				v.add(fmt.Sprintf("skus[%d].views[%d]", i, j), "no original at %s%s/%s.{%s}", OriginalsPrefix, s.ID, view, strings.Join(SourceExts, ","))
			}
		}
	}
	if len(v.errs) > 0 {
		return v
	}
	return nil
}

// Original is the stored photo a variant is rendered from.
type Original struct {
	Key string
	// ETag and Size are from the store listing the catalog was indexed with,
	// so a variant's cache key is known without fetching the original.
	ETag string
	Size int64
	// Hub is the hub whose photo was chosen, or "" for the master.
	Hub string
}

// Resolve finds the original for a SKU view. With a hub, the hub's own photo
// (view@hub) is preferred and the master is the fallback, so a hub without
// its own photo still serves the product.
func (c *Catalog) Resolve(skuID, view, hub string) (Original, error) {
	s, ok := c.skus[skuID]
	if !ok {
		return Original{}, &NotFoundError{Kind: "sku", ID: skuID}
	}
	if !s.HasView(view) {
		return Original{}, &NotFoundError{Kind: "view", ID: skuID + "/" + view}
	}
	if hub != "" {
		if _, ok := c.hubs[hub]; !ok {
			return Original{}, &NotFoundError{Kind: "hub", ID: hub}
		}
		if info, ok := c.originals[skuID+"/"+view+"@"+hub]; ok {
			return Original{Key: info.Key, ETag: info.ETag, Size: info.Size, Hub: hub}, nil
		}
	}
	info, ok := c.originals[skuID+"/"+view]
	if !ok {
		return Original{}, &NotFoundError{Kind: "original", ID: skuID + "/" + view}
	}
	return Original{Key: info.Key, ETag: info.ETag, Size: info.Size}, nil
}

// HubPhotos lists the hubs that have their own photo of a SKU view. A photo
// for a hub the catalog does not declare is left out: Resolve refuses it.
func (c *Catalog) HubPhotos(skuID, view string) []string {
	var out []string
	prefix := skuID + "/" + view + "@"
	for id := range c.originals {
		if hub, ok := strings.CutPrefix(id, prefix); ok && c.hubs[hub] != nil {
			out = append(out, hub)
		}
	}
	sort.Strings(out)
	return out
}

// NotFoundError reports an unknown SKU, view, hub, preset, locale or a
// missing original.
type NotFoundError struct {
	Kind string // sku, view, hub, original, preset, locale
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("unknown %s %q", e.Kind, e.ID) }

// ResolveLocale picks the locale for a requested tag: the exact tag, then
// another locale of the same language (de-AT → de-DE), then the catalog's
// default locale. It returns the chosen tag; ok is false only when the
// catalog has no locales at all.
func (c *Catalog) ResolveLocale(tag string) (string, Locale, bool) {
	if l, ok := c.Locales[tag]; ok {
		return tag, l, true
	}
	lang, _, _ := strings.Cut(tag, "-")
	// Same language: the default locale first (en-AU → en-US when en-US is
	// the default), then the others in name order.
	if def, _, _ := strings.Cut(c.DefaultLocale, "-"); lang != "" && strings.EqualFold(def, lang) {
		if l, ok := c.Locales[c.DefaultLocale]; ok {
			return c.DefaultLocale, l, true
		}
	}
	if lang != "" {
		names := make([]string, 0, len(c.Locales))
		for name := range c.Locales {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if l, _, _ := strings.Cut(name, "-"); strings.EqualFold(l, lang) {
				return name, c.Locales[name], true
			}
		}
	}
	if l, ok := c.Locales[c.DefaultLocale]; ok {
		return c.DefaultLocale, l, true
	}
	return "", Locale{}, false
}

// LocaleProfile returns the colour profile of a resolved locale, or nil when
// it has none (the sRGB default with no tone changes).
func (c *Catalog) LocaleProfile(l Locale) *ColourProfile {
	if l.Colour == "" {
		return nil
	}
	return c.profiles[l.Colour]
}
