package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/store"
)

// Catalog is a store's content to upload: catalog.yaml and originals.
type Catalog struct {
	Name  string
	YAML  []byte
	SKUs  []SKU
	Files map[string]string // store key → local file with its content
}

// SKU is a catalog SKU with its views.
type SKU struct {
	ID    string
	Views []string
}

// Variant is one image URL of the workload.
type Variant struct {
	SKU, View, Preset, Format, Locale string
}

// DemoCatalog is the shipped demo store (catalog.yaml and originals/).
func DemoCatalog(demoDir string) (*Catalog, error) {
	doc, skus, err := readCatalog(demoDir)
	if err != nil {
		return nil, err
	}
	c := &Catalog{Name: "demo", Files: map[string]string{}}
	c.YAML, err = os.ReadFile(filepath.Join(demoDir, "catalog.yaml"))
	if err != nil {
		return nil, err
	}
	_ = doc
	for _, s := range skus {
		c.SKUs = append(c.SKUs, SKU{ID: str(s["id"]), Views: strs(s["views"])})
	}
	root := filepath.Join(demoDir, "originals")
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isPhoto(p) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		c.Files["originals/"+filepath.ToSlash(rel)] = p
		return nil
	})
	return c, err
}

// GenerateCatalog is a catalog of n SKUs built from the demo photos: SKU i
// copies demo SKU i mod 10 (views, swatch) under the id {demo-id}-g{i}, with
// the demo's master photos (no hub photos, so a hub warm fills the same
// cache keys the workload requests). Hubs, locales, colour profiles and
// presets are the demo's. maxViews > 0 caps the views per SKU.
func GenerateCatalog(demoDir string, n, maxViews int) (*Catalog, error) {
	doc, demoSKUs, err := readCatalog(demoDir)
	if err != nil {
		return nil, err
	}
	c := &Catalog{Name: fmt.Sprintf("generated-%d", n), Files: map[string]string{}}
	out := make([]map[string]any, 0, n)
	for i := range n {
		tpl := demoSKUs[i%len(demoSKUs)]
		id := fmt.Sprintf("%s-g%05d", str(tpl["id"]), i)
		views := strs(tpl["views"])
		if maxViews > 0 && len(views) > maxViews {
			views = views[:maxViews]
		}
		sku := map[string]any{}
		for k, v := range tpl {
			sku[k] = v
		}
		sku["id"], sku["views"] = id, views
		if sw, ok := tpl["swatch"].(map[string]any); ok && !slices.Contains(views, str(sw["view"])) {
			delete(sku, "swatch")
		}
		out = append(out, sku)
		c.SKUs = append(c.SKUs, SKU{ID: id, Views: views})
		for _, v := range views {
			src := filepath.Join(demoDir, "originals", str(tpl["id"]), v+".jpg")
			if _, err := os.Stat(src); err != nil {
				return nil, fmt.Errorf("demo photo for %s/%s: %w", str(tpl["id"]), v, err)
			}
			c.Files["originals/"+id+"/"+v+".jpg"] = src
		}
	}
	doc["skus"] = out
	c.YAML, err = yaml.Marshal(doc)
	return c, err
}

func readCatalog(demoDir string) (map[string]any, []map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(demoDir, "catalog.yaml"))
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("demo catalog: %w", err)
	}
	var skus []map[string]any
	list, _ := doc["skus"].([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			skus = append(skus, m)
		}
	}
	if len(skus) == 0 {
		return nil, nil, fmt.Errorf("demo catalog has no skus")
	}
	return doc, skus, nil
}

func str(v any) string { s, _ := v.(string); return s }

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func isPhoto(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".tif":
		return true
	}
	return false
}

// Variants lists every URL the workload may request, in catalog order.
func (c *Catalog) Variants(presets, formats, locales []string) []Variant {
	var out []Variant
	for _, s := range c.SKUs {
		for _, v := range s.Views {
			for _, p := range presets {
				for _, f := range formats {
					for _, l := range locales {
						out = append(out, Variant{SKU: s.ID, View: v, Preset: p, Format: f, Locale: l})
					}
				}
			}
		}
	}
	return out
}

// Upload writes catalog.yaml and the originals to a store, 16 at a time.
// Photos are read once each and shared.
func (c *Catalog) Upload(ctx context.Context, blob store.Blob) error {
	if _, err := blob.Put(ctx, "catalog.yaml", c.YAML, store.PutOptions{ContentType: "application/yaml"}); err != nil {
		return fmt.Errorf("uploading catalog.yaml: %w", err)
	}
	photos := map[string][]byte{}
	for _, src := range c.Files {
		if _, ok := photos[src]; ok {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		photos[src] = data
	}
	keys := make([]string, 0, len(c.Files))
	for k := range c.Files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, k := range keys {
		g.Go(func() error {
			_, err := blob.Put(gctx, k, photos[c.Files[k]], store.PutOptions{ContentType: "image/jpeg"})
			if err != nil {
				return fmt.Errorf("uploading %s: %w", k, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// WriteDir lays the catalog out in a directory for the fs store, hard-linking
// the photos (copying where links fail), so 10,000 SKUs cost no disk.
func (c *Catalog) WriteDir(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "catalog.yaml"), c.YAML, 0o600); err != nil {
		return err
	}
	for k, src := range c.Files {
		dst := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Link(src, dst); err == nil {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
