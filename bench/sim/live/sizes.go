package live

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/goccy/go-yaml"

	"github.com/edgeshelf/edgeshelf/bench/harness"
	"github.com/edgeshelf/edgeshelf/bench/sim"
)

// ProfileLocales maps each colour profile of the demo catalog to the first
// locale (sorted by name) that selects it.
func ProfileLocales(demoDir string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(demoDir, "catalog.yaml"))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Locales map[string]struct {
			Colour string `yaml:"colour"`
		} `yaml:"locales"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("demo catalog: %w", err)
	}
	names := make([]string, 0, len(doc.Locales))
	for n := range doc.Locales {
		names = append(names, n)
	}
	sort.Strings(names)
	out := map[string]string{}
	for _, n := range names {
		if p := doc.Locales[n].Colour; p != "" && out[p] == "" {
			out[p] = n
		}
	}
	return out, nil
}

// MeasureSizes renders every preset × format × colour profile of every demo
// view through a real origin and returns the sizes table: the body length
// and the entry size the memory tier accounts (read from the access trace).
func MeasureSizes(ctx context.Context, demoDir, tmpDir string, presets, formats []string) ([]sim.SizeRow, error) {
	locales, err := ProfileLocales(demoDir)
	if err != nil {
		return nil, err
	}
	profiles := make([]string, 0, len(locales))
	for p := range locales {
		profiles = append(profiles, p)
	}
	sort.Strings(profiles)
	cat, err := harness.DemoCatalog(demoDir)
	if err != nil {
		return nil, err
	}
	var rows []sim.SizeRow
	var keys []string
	for _, s := range cat.SKUs {
		for _, v := range s.Views {
			for _, p := range presets {
				for _, f := range formats {
					for _, pr := range profiles {
						rows = append(rows, sim.SizeRow{SKU: s.ID, View: v, Preset: p, Format: f, Profile: pr, Locale: locales[pr]})
						keys = append(keys, sim.VariantKey(s.ID, v, p, f, pr))
					}
				}
			}
		}
	}
	// An L1 that holds everything: each variant is rendered once.
	res, err := Run(ctx, Config{DemoDir: demoDir, L1Bytes: 8 << 30, TmpDir: tmpDir, Locales: locales}, keys)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].BodyBytes, rows[i].EntryBytes, rows[i].CacheKey = res.BodyBytes[i], res.Accesses[i].Size, res.Accesses[i].Key
	}
	return rows, nil
}
