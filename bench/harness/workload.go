package harness

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
)

// workload is a request sequence over a catalog's variants.
type workload struct {
	cat      *Catalog
	variants []Variant // in popularity order: variants[0] is rank 1
	seq      []int     // variant index of each request
	warmup   int
	zipf     *Zipf
}

// newWorkload ranks the variants in a seeded random order (so popularity is
// spread over SKUs, presets and formats) and draws the request sequence:
// the same seed gives every layout the same requests.
func (e *env) newWorkload(c *Catalog, rate float64) *workload {
	vs := c.Variants(e.opts.Presets, e.opts.Formats, e.opts.Locales)
	rng := rand.New(rand.NewPCG(e.opts.Seed, 1))
	rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	z := NewZipf(len(vs), e.opts.ZipfS, e.opts.Seed)
	warm := int(e.opts.Warmup.Seconds() * rate)
	total := warm + int(e.opts.Duration.Seconds()*rate)
	seq := make([]int, total)
	for i := range seq {
		seq[i] = z.Next()
	}
	return &workload{cat: c, variants: vs, seq: seq, warmup: warm, zipf: z}
}

func (w *workload) urls(base string, template string) []string {
	out := make([]string, len(w.seq))
	for i, k := range w.seq {
		out[i] = VariantURL(base, template, w.variants[k])
	}
	return out
}

// VariantURL is a variant's URL on an in-process origin (base) or from a
// template with {sku} {view} {preset} {fmt} {locale}.
func VariantURL(base, template string, v Variant) string {
	if template == "" {
		u := fmt.Sprintf("%s/img/%s/%s/%s.%s", base, v.SKU, v.View, v.Preset, v.Format)
		if v.Locale != "" {
			u += "?locale=" + url.QueryEscape(v.Locale)
		}
		return u
	}
	u := strings.NewReplacer("{sku}", v.SKU, "{view}", v.View, "{preset}", v.Preset, "{fmt}", v.Format, "{locale}", url.QueryEscape(v.Locale)).Replace(template)
	if v.Locale != "" && !strings.Contains(template, "{locale}") {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "locale=" + url.QueryEscape(v.Locale)
	}
	return u
}

// topSKUs are the n SKUs with the most request probability.
func (w *workload) topSKUs(n int) []string {
	p := map[string]float64{}
	for k, v := range w.variants {
		p[v.SKU] += w.zipf.P(k)
	}
	ids := make([]string, 0, len(p))
	for id := range p {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return p[ids[i]] > p[ids[j]] || p[ids[i]] == p[ids[j]] && ids[i] < ids[j] })
	return ids[:min(n, len(ids))]
}
