package rulestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// RulesVersion describes one stored version.
type RulesVersion struct {
	N            int       `json:"n"`
	Key          string    `json:"key"`
	RulesVersion string    `json:"rules_version"`
	StoredAt     time.Time `json:"stored_at"`
	// Active is true when the version's content is rules/active.yaml's
	// (identical versions are all active).
	Active bool `json:"active"`
	// Valid is false when the version no longer validates against the
	// current catalog; Problem says why.
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"`
	etag    string
}

// RulesVersions is GET /admin/rules/versions.
type RulesVersions struct {
	// Serving is the rules version this replica routes with.
	Serving  string         `json:"serving"`
	Versions []RulesVersion `json:"versions"`
}

// Versions lists the stored versions, oldest first.
func (r *Store) Versions(ctx context.Context) (*RulesVersions, error) {
	versions, err := r.listVersions(ctx)
	if err != nil {
		return nil, err
	}
	activeTag := ""
	if info, err := r.blob.Stat(ctx, routing.ActiveKey); err == nil {
		activeTag = info.ETag
	}
	cat := r.cat.Current()
	out := &RulesVersions{Serving: r.engine.Rules().Version(), Versions: make([]RulesVersion, 0, len(versions))}
	for _, v := range versions {
		v.Active = activeTag != "" && v.etag == activeTag
		obj, err := r.blob.Get(ctx, v.Key, store.GetOptions{MaxBytes: routing.MaxRulesBytes})
		if err != nil {
			v.Problem = err.Error()
			out.Versions = append(out.Versions, v)
			continue
		}
		if rs, err := routing.ParseRules(v.Key, obj.Data, cat); err == nil {
			v.Valid, v.RulesVersion = true, rs.Version()
		} else {
			v.Problem, v.RulesVersion = err.Error(), declaredVersion(obj.Data)
		}
		out.Versions = append(out.Versions, v)
	}
	return out, nil
}

// declaredVersion reads the version: of a rules file that does not
// validate, with routing's default (a digest of the file) when it has none.
func declaredVersion(data []byte) string {
	var top struct {
		Version string `yaml:"version"`
	}
	if err := yaml.Unmarshal(data, &top); err == nil && top.Version != "" {
		return top.Version
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// listVersions lists rules/versions/{n}.yaml by n, without reading them.
func (r *Store) listVersions(ctx context.Context) ([]RulesVersion, error) {
	listing, err := r.blob.List(ctx, VersionsPrefix)
	if err != nil {
		return nil, storeFailed("listing "+VersionsPrefix, err)
	}
	var out []RulesVersion
	for _, info := range listing {
		m := versionKey.FindStringSubmatch(info.Key)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, RulesVersion{N: n, Key: info.Key, StoredAt: info.Modified.UTC(), etag: info.ETag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}

func holds(versions []RulesVersion, etag string) bool {
	for _, v := range versions {
		if v.etag == etag {
			return true
		}
	}
	return false
}

const yamlType = "application/yaml"
