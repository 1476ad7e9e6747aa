package sim

import (
	"fmt"
	"slices"
)

// SKU is a catalog SKU whose photos are copies of a demo SKU's (Template),
// as bench/harness builds its generated catalogs, so its variants have the
// template's rendered sizes.
type SKU struct {
	ID, Template string
	Views        []string
}

// Catalog is what a generator draws variants from.
type Catalog struct {
	Name                       string
	SKUs                       []SKU
	Presets, Formats, Profiles []string
	sizes                      *Sizes
}

// DemoCatalog is the demo store's SKUs, as measured in the sizes table.
func DemoCatalog(s *Sizes) *Catalog {
	c := &Catalog{Name: "demo", sizes: s}
	c.Presets = s.distinct(func(r SizeRow) string { return r.Preset })
	c.Formats = s.distinct(func(r SizeRow) string { return r.Format })
	c.Profiles = s.distinct(func(r SizeRow) string { return r.Profile })
	for _, id := range s.distinct(func(r SizeRow) string { return r.SKU }) {
		c.SKUs = append(c.SKUs, SKU{ID: id, Template: id, Views: s.viewsOf(id)})
	}
	return c
}

// GeneratedCatalog is bench/harness's generated catalog of n SKUs: SKU i
// copies demo SKU i mod 10 under the id {demo-id}-g{i}.
func GeneratedCatalog(s *Sizes, n int) *Catalog {
	demo := DemoCatalog(s)
	c := &Catalog{Name: fmt.Sprintf("generated-%d", n), Presets: demo.Presets, Formats: demo.Formats, Profiles: demo.Profiles, sizes: s}
	for i := range n {
		tpl := demo.SKUs[i%len(demo.SKUs)]
		c.SKUs = append(c.SKUs, SKU{ID: fmt.Sprintf("%s-g%05d", tpl.ID, i), Template: tpl.ID, Views: tpl.Views})
	}
	return c
}

func (s *Sizes) viewsOf(sku string) []string {
	var out []string
	for _, r := range s.Rows {
		if r.SKU == sku && !slices.Contains(out, r.View) {
			out = append(out, r.View)
		}
	}
	return out
}

// Restrict keeps only the given presets, formats and profiles (nil: all);
// each must be in the sizes table.
func (c *Catalog) Restrict(presets, formats, profiles []string) error {
	pick := func(have *[]string, want []string, what string) error {
		if want == nil {
			return nil
		}
		for _, w := range want {
			if !slices.Contains(*have, w) {
				return fmt.Errorf("%s %q is not in the sizes table (have %v)", what, w, *have)
			}
		}
		*have = want
		return nil
	}
	if err := pick(&c.Presets, presets, "preset"); err != nil {
		return err
	}
	if err := pick(&c.Formats, formats, "format"); err != nil {
		return err
	}
	return pick(&c.Profiles, profiles, "profile")
}

// Variant is one cache entry of the catalog: what a trace requests.
type Variant struct {
	Key  string
	Size int64
}

// variant is the variant of a SKU's view; version > 0 names a re-shot
// photo (a new source ETag, hence a new cache key of the same size).
func (c *Catalog) variant(s SKU, view string, version int, preset, format, profile string) Variant {
	size, entryProfile, ok := c.sizes.entry(s.ID, s.Template, view, preset, format, profile)
	if !ok {
		// Generators only combine what Restrict checked: a gap is a bug.
		panic(fmt.Sprintf("sim: no size for %s/%s/%s.%s@%s", s.Template, view, preset, format, profile))
	}
	if version > 0 {
		view = fmt.Sprintf("%s~v%d", view, version)
	}
	return Variant{Key: VariantKey(s.ID, view, preset, format, entryProfile), Size: size}
}

// Variants lists every distinct variant of the catalog (profiles sharing
// an entry count once), in catalog order.
func (c *Catalog) Variants() []Variant { return c.variantsOf(c.SKUs, nil) }

// variantsOf lists the distinct variants of skus in catalog order; with
// enough, only until their sizes sum to *enough (which it counts down).
func (c *Catalog) variantsOf(skus []SKU, enough *int64) []Variant {
	var out []Variant
	seen := map[string]bool{}
	add := func(x Variant) bool {
		if enough != nil && *enough <= 0 {
			return false
		}
		if !seen[x.Key] {
			seen[x.Key] = true
			out = append(out, x)
			if enough != nil {
				*enough -= x.Size
			}
		}
		return true
	}
	for _, s := range skus {
		if !c.eachVariant(s, add) {
			break
		}
	}
	return out
}

// eachVariant calls fn with every view × preset × format × profile of s
// until fn returns false, and reports whether it went through them all.
func (c *Catalog) eachVariant(s SKU, fn func(Variant) bool) bool {
	for _, v := range s.Views {
		for _, p := range c.Presets {
			for _, f := range c.Formats {
				for _, pr := range c.Profiles {
					if !fn(c.variant(s, v, 0, p, f, pr)) {
						return false
					}
				}
			}
		}
	}
	return true
}
