package sim

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SizesCommand regenerates testdata/sizes.csv: every preset × format ×
// colour profile of every demo view, rendered by a real in-process origin
// (libvips) and measured as the memory tier accounts it.
const SizesCommand = "go run ./bench/sim/cmd --write-sizes bench/sim/testdata/sizes.csv"

//go:embed testdata/sizes.csv
var sizesCSV string

// SizeRow is one rendered variant of a demo view.
type SizeRow struct {
	SKU, View, Preset, Format, Profile string
	Locale                             string // a locale with that profile: what a client asks for
	BodyBytes                          int64  // the response body
	EntryBytes                         int64  // cache.Entry.Size(): body + type, ETag, tags and bookkeeping
	// CacheKey is the origin's cache key of the variant. Variants sharing
	// one (a Display P3 render of an image with nothing outside sRGB may be
	// the sRGB render) are one entry, and so one key in generated traces.
	CacheKey string
}

var sizesHeader = []string{"sku", "view", "preset", "format", "profile", "locale", "body_bytes", "entry_bytes", "cache_key"}

// Sizes is a table of real rendered sizes, in the demo catalog's order.
type Sizes struct {
	Rows  []SizeRow
	index map[string]int // VariantKey of the demo SKU → row
	// entryProfile maps a VariantKey of the demo SKU to the profile of the
	// first variant sharing its cache entry (itself when none does).
	entryProfile map[string]string
}

// DefaultSizes is the committed table (testdata/sizes.csv).
func DefaultSizes() (*Sizes, error) { return ReadSizes(strings.NewReader(sizesCSV)) }

// ReadSizes parses a sizes table; lines starting with # are comments.
func ReadSizes(r io.Reader) (*Sizes, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("sizes table: %w", err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != strings.Join(sizesHeader, ",") {
		return nil, errors.New("sizes table: want the header " + strings.Join(sizesHeader, ",") + " and rows")
	}
	s := &Sizes{index: map[string]int{}, entryProfile: map[string]string{}}
	firstOf := map[string]string{} // cache key → profile of its first variant
	for i, rec := range recs[1:] {
		body, err1 := strconv.ParseInt(rec[6], 10, 64)
		entry, err2 := strconv.ParseInt(rec[7], 10, 64)
		if err1 != nil || err2 != nil || body <= 0 || entry < body {
			return nil, fmt.Errorf("sizes table row %d: bad sizes %q, %q", i+2, rec[6], rec[7])
		}
		row := SizeRow{SKU: rec[0], View: rec[1], Preset: rec[2], Format: rec[3], Profile: rec[4], Locale: rec[5], BodyBytes: body, EntryBytes: entry, CacheKey: rec[8]}
		k := VariantKey(row.SKU, row.View, row.Preset, row.Format, row.Profile)
		s.index[k] = len(s.Rows)
		s.entryProfile[k] = row.Profile
		if p, ok := firstOf[row.CacheKey]; ok && row.CacheKey != "" {
			s.entryProfile[k] = p
		} else {
			firstOf[row.CacheKey] = row.Profile
		}
		s.Rows = append(s.Rows, row)
	}
	return s, nil
}

// WriteSizes writes a sizes table with a comment naming how it was made.
func WriteSizes(w io.Writer, comment string, rows []SizeRow) error {
	for _, l := range strings.Split(comment, "\n") {
		if _, err := fmt.Fprintf(w, "# %s\n", l); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(sizesHeader)
	for _, r := range rows {
		_ = cw.Write([]string{r.SKU, r.View, r.Preset, r.Format, r.Profile, r.Locale,
			strconv.FormatInt(r.BodyBytes, 10), strconv.FormatInt(r.EntryBytes, 10), r.CacheKey})
	}
	cw.Flush()
	return cw.Error()
}

// VariantKey is a generated trace's key for a variant: one per cache entry
// of the origin, whose key names the colour profile, not the locale
// (en-US and en-GB share srgb-neutral, hence one entry).
func VariantKey(sku, view, preset, format, profile string) string {
	return sku + "/" + view + "/" + preset + "." + format + "@" + profile
}

// ParseVariantKey splits a VariantKey.
func ParseVariantKey(key string) (sku, view, preset, format, profile string, ok bool) {
	rest, profile, ok1 := strings.Cut(key, "@")
	sku, rest, ok2 := strings.Cut(rest, "/")
	view, rest, ok3 := strings.Cut(rest, "/")
	preset, format, ok4 := strings.Cut(rest, ".")
	return sku, view, preset, format, profile, ok1 && ok2 && ok3 && ok4
}

// entry is what the variant of sku (a copy of the demo SKU template) costs
// the memory tier: the demo's measured entry size, adjusted for the SKU's
// purge tag ("sku-" + id), the one part of the entry naming the SKU; and
// the profile naming its cache entry (see SizeRow.CacheKey).
func (s *Sizes) entry(sku, template, view, preset, format, profile string) (int64, string, bool) {
	k := VariantKey(template, view, preset, format, profile)
	i, ok := s.index[k]
	if !ok {
		return 0, "", false
	}
	return s.Rows[i].EntryBytes + int64(len(sku)-len(template)), s.entryProfile[k], true
}

// distinct lists the values a column takes, in table order.
func (s *Sizes) distinct(col func(SizeRow) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.Rows {
		if v := col(r); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// Profiles maps each profile to the locale the table measured it with.
func (s *Sizes) Profiles() map[string]string {
	m := map[string]string{}
	for _, r := range s.Rows {
		m[r.Profile] = r.Locale
	}
	return m
}
