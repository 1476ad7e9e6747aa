package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// Scenarios by name.
var Scenarios = []string{"tiers", "sweep-rate", "sweep-l1-budget", "catalog-growth", "cold-start"}

// Options configure a harness run; main fills them from flags.
type Options struct {
	Scenario string
	// URLTemplate, when set, targets an external origin instead of an
	// in-process one: {sku} {view} {preset} {fmt} {locale} are replaced.
	URLTemplate string
	Store       string // s3 (versitygw, default) or fs
	Catalog     string // demo or generated
	SKUs        int    // generated catalog size
	SKUsList    []int  // catalog-growth sizes
	MaxViews    int    // generated SKUs: at most this many views (0: the demo's)
	Presets     []string
	Formats     []string
	Locales     []string
	Layouts     []string
	Rate        float64
	Rates       []float64 // sweep-rate
	L1Bytes     int64
	L1Budgets   []int64 // sweep-l1-budget
	ZipfS       float64
	Seed        uint64
	Duration    time.Duration
	Warmup      time.Duration
	S3Latency   time.Duration
	S3Jitter    time.Duration
	Restart     bool // tiers: re-run layouts with L1 after a restart (fresh L1, same L2)
	WarmHub     string
	WarmSKUs    int // cold-start: prewarm the most popular N SKUs
	MaxInFlight int
	Timeout     time.Duration
	Progress    bool
	Out         io.Writer // status lines
	TmpDir      string    // "" : a new temporary directory, removed at the end
	DemoDir     string
}

// RunResult is one measured run: a layout, in a phase, at a rate.
type RunResult struct {
	Scenario     string  `json:"scenario"`
	Layout       string  `json:"layout"`
	Phase        string  `json:"phase"`
	Rate         float64 `json:"rate_rps"`
	L1Bytes      int64   `json:"l1_bytes"`
	L2           bool    `json:"l2"`
	Catalog      string  `json:"catalog"`
	SKUs         int     `json:"skus"`
	Variants     int     `json:"variants"`
	ZipfS        float64 `json:"zipf_s"`
	S3LatencyMs  float64 `json:"s3_latency_ms"`
	S3JitterMs   float64 `json:"s3_jitter_ms"`
	WarmupReqs   int     `json:"warmup_requests"`
	DurationSecs float64 `json:"duration_s"`

	Scheduled     int64              `json:"scheduled"`
	Completed     int64              `json:"completed"`
	OK            int64              `json:"ok"`
	Errors        int64              `json:"errors"`
	Dropped       int64              `json:"dropped"`
	ThroughputRPS float64            `json:"throughput_rps"`
	Latency       Latency            `json:"latency_ms"`
	Tiers         map[string]int64   `json:"tiers"`
	HitRatio      map[string]float64 `json:"hit_ratio"`
	CacheHitRatio float64            `json:"cache_hit_ratio"`
	ByteHitRatio  float64            `json:"byte_hit_ratio"`
	BytesServed   int64              `json:"bytes_served"`

	Renders       int64   `json:"renders"` // origin-side, measured window
	RendersPer1k  float64 `json:"renders_per_1k"`
	S3Gets        int64   `json:"s3_gets"`
	S3GetsPer1k   float64 `json:"s3_gets_per_1k"`
	S3Puts        int64   `json:"s3_puts"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUmsPerReq   float64 `json:"cpu_ms_per_request"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	RunRenders    int64   `json:"run_renders"`           // origin-side, warm-up included
	RunDistinct   int     `json:"run_distinct_variants"` // distinct URLs requested, warm-up included
	MaxHdrRenders int64   `json:"max_render_headers_per_variant"`
	Notes         string  `json:"notes,omitempty"`

	CDF []CDFPoint `json:"cdf"`
}

// Results are a harness run's output.
type Results struct {
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
	Command  string       `json:"command"`
	Host     HostInfo     `json:"host"`
	Options  OptionsJSON  `json:"options"`
	Runs     []*RunResult `json:"runs"`
}

// HostInfo describes the machine.
type HostInfo struct {
	GOOS, GOARCH, GoVersion string
	CPUs                    int
}

// OptionsJSON is the serialisable part of Options.
type OptionsJSON struct {
	Scenario, Target, Store, Catalog string
	SKUs                             int
	Presets, Formats, Locales        []string
	Layouts                          []string
	Rate                             float64
	L1Bytes                          int64
	ZipfS                            float64
	Seed                             uint64
	Duration, Warmup                 string
	S3Latency, S3Jitter              string
}

type env struct {
	opts    Options
	tmp     string
	s3      *S3Server
	log     *slog.Logger
	stores  map[string]store.Blob // catalog name → originals store (undelayed)
	nextID  int
	started time.Time
}

func (e *env) say(format string, args ...any) {
	if e.opts.Out != nil {
		fmt.Fprintf(e.opts.Out, format+"\n", args...)
	}
}

// Run runs the scenario and returns its results.
func Run(ctx context.Context, opts Options) (*Results, error) {
	if !slices.Contains(Scenarios, opts.Scenario) {
		return nil, fmt.Errorf("unknown scenario %q (want %s)", opts.Scenario, strings.Join(Scenarios, ", "))
	}
	if opts.Rate <= 0 || opts.Duration <= 0 {
		return nil, errors.New("rate and duration must be > 0")
	}
	e := &env{opts: opts, stores: map[string]store.Blob{}, started: time.Now(),
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.tmp = opts.TmpDir
	if e.tmp == "" {
		dir, err := os.MkdirTemp("", "edgeshelf-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		e.tmp = dir
	}
	if opts.URLTemplate == "" && opts.Store == "s3" {
		e.say("starting versitygw (S3) on loopback…")
		s, err := StartS3(ctx, filepath.Join(e.tmp, "versitygw"))
		if err != nil {
			return nil, err
		}
		defer s.Stop()
		e.s3 = s
	}
	res := &Results{
		Started: e.started.UTC(),
		Host:    HostInfo{runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU()},
		Options: OptionsJSON{
			Scenario: opts.Scenario, Target: cmp(opts.URLTemplate, "in-process"), Store: opts.Store, Catalog: opts.Catalog,
			SKUs: opts.SKUs, Presets: opts.Presets, Formats: opts.Formats, Locales: opts.Locales, Layouts: opts.Layouts,
			Rate: opts.Rate, L1Bytes: opts.L1Bytes, ZipfS: opts.ZipfS, Seed: opts.Seed,
			Duration: opts.Duration.String(), Warmup: opts.Warmup.String(),
			S3Latency: opts.S3Latency.String(), S3Jitter: opts.S3Jitter.String(),
		},
	}
	var err error
	switch opts.Scenario {
	case "tiers":
		res.Runs, err = e.tiers(ctx)
	case "sweep-rate":
		res.Runs, err = e.sweepRate(ctx)
	case "sweep-l1-budget":
		res.Runs, err = e.sweepL1(ctx)
	case "catalog-growth":
		res.Runs, err = e.growth(ctx)
	case "cold-start":
		res.Runs, err = e.coldStart(ctx)
	}
	res.Finished = time.Now().UTC()
	return res, err
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// catalogFor builds the catalog of n SKUs (0: the configured one).
func (e *env) catalogFor(n int) (*Catalog, error) {
	if e.opts.Catalog == "demo" && n == 0 {
		return DemoCatalog(e.opts.DemoDir)
	}
	if n == 0 {
		n = e.opts.SKUs
	}
	return GenerateCatalog(e.opts.DemoDir, n, e.opts.MaxViews)
}

// originals is the (undelayed) store holding a catalog, uploaded once.
func (e *env) originals(ctx context.Context, c *Catalog) (store.Blob, error) {
	if s, ok := e.stores[c.Name]; ok {
		return s, nil
	}
	t0 := time.Now()
	var s store.Blob
	if e.s3 != nil {
		st, err := e.s3.Store(ctx, "catalog-"+c.Name+"/")
		if err != nil {
			return nil, err
		}
		if err := c.Upload(ctx, st); err != nil {
			return nil, err
		}
		s = st
	} else {
		dir := filepath.Join(e.tmp, "catalog-"+c.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := c.WriteDir(dir); err != nil {
			return nil, err
		}
		st, err := storefs.New(dir)
		if err != nil {
			return nil, err
		}
		s = st
	}
	e.say("catalog %s: %d SKUs, %d photos in the %s store (%s)", c.Name, len(c.SKUs), len(c.Files), e.opts.Store, time.Since(t0).Round(time.Millisecond))
	e.stores[c.Name] = s
	return s, nil
}

// newResults is an empty, undelayed results store (an L2 of its own).
func (e *env) newResults(ctx context.Context) (store.Blob, error) {
	e.nextID++
	if e.s3 != nil {
		return e.s3.Store(ctx, fmt.Sprintf("l2-%03d/", e.nextID))
	}
	dir := filepath.Join(e.tmp, fmt.Sprintf("l2-%03d", e.nextID))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return storefs.New(dir)
}

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

// runSpec is one measured run.
type runSpec struct {
	layout  Layout
	phase   string
	rate    float64
	w       *workload
	results store.Blob // L2 store (undelayed); nil: a new one
	// before runs on the started origin before the load (cold-start warm).
	notes string
}

// runOne starts an origin, runs the load and returns the result and the L2
// store used, so a later phase can restart over it.
func (e *env) runOne(ctx context.Context, rs runSpec) (*RunResult, store.Blob, error) {
	orig, err := e.originals(ctx, rs.w.cat)
	if err != nil {
		return nil, nil, err
	}
	results := rs.results
	if results == nil && rs.layout.L2 {
		if results, err = e.newResults(ctx); err != nil {
			return nil, nil, err
		}
	}
	counters := &StoreCounters{}
	slowOrig := NewDelayBlob(orig, e.opts.S3Latency, e.opts.S3Jitter, counters)
	var slowResults store.Blob
	if results != nil {
		slowResults = NewDelayBlob(results, e.opts.S3Latency, e.opts.S3Jitter, counters)
	}
	o, err := StartOrigin(ctx, rs.layout, slowOrig, slowResults, e.tmp, e.log)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	rr := e.newRunResult(rs)
	err = e.measure(ctx, rr, rs.w, o.URL, "", counters, &o.Renders)
	return rr, results, err
}

func (e *env) newRunResult(rs runSpec) *RunResult {
	return &RunResult{
		Scenario: e.opts.Scenario, Layout: rs.layout.Name, Phase: rs.phase, Rate: rs.rate,
		L1Bytes: rs.layout.L1Bytes, L2: rs.layout.L2, Catalog: rs.w.cat.Name, SKUs: len(rs.w.cat.SKUs),
		Variants: len(rs.w.variants), ZipfS: e.opts.ZipfS,
		S3LatencyMs: float64(e.opts.S3Latency) / 1e6, S3JitterMs: float64(e.opts.S3Jitter) / 1e6,
		WarmupReqs: rs.w.warmup, DurationSecs: e.opts.Duration.Seconds(), Notes: rs.notes,
	}
}

// measure runs the load against base (or the template) and fills rr.
// counters and renders may be nil (external origin).
func (e *env) measure(ctx context.Context, rr *RunResult, w *workload, base, template string, counters *StoreCounters, renders interface{ Load() int64 }) error {
	var (
		calls0  StoreCalls
		cpu0    time.Duration
		rend0   int64
		rendAll int64
	)
	if renders != nil {
		rendAll = renders.Load()
	}
	mark := func() {
		if counters != nil {
			calls0 = counters.Snapshot()
		}
		if renders != nil {
			rend0 = renders.Load()
		}
		cpu0 = cpuTime()
		resetPeakRSS()
	}
	if w.warmup == 0 {
		mark()
	}
	label := fmt.Sprintf("%-9s %-8s %3.0f/s", rr.Layout, rr.Phase, rr.Rate)
	ids := slices.Clone(w.seq)
	lr := RunLoad(ctx, LoadConfig{
		URLs: w.urls(base, template), IDs: ids, Rate: rr.Rate, Warmup: w.warmup,
		MaxInFlight: e.opts.MaxInFlight, Timeout: e.opts.Timeout, OnMeasureStart: mark,
		Label: label, Progress: e.opts.Progress, ProgressOut: os.Stderr,
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	cpu := cpuTime() - cpu0
	rr.Scheduled, rr.Completed, rr.OK, rr.Errors, rr.Dropped = lr.Scheduled, lr.Completed, lr.OK, lr.Errors, lr.Dropped
	if lr.Elapsed > 0 {
		rr.ThroughputRPS = float64(lr.OK) / lr.Elapsed.Seconds()
	}
	rr.Latency = lr.Summary()
	rr.CDF = lr.CDF()
	rr.Tiers = map[string]int64{}
	rr.HitRatio = map[string]float64{}
	var bytesAll, bytesHit int64
	for _, t := range TierNames {
		rr.Tiers[t] = lr.Tiers[t]
		rr.HitRatio[t] = ratio(lr.Tiers[t], lr.OK)
		bytesAll += lr.TierBytes[t]
	}
	bytesHit = lr.TierBytes["l1"] + lr.TierBytes["l2"]
	rr.CacheHitRatio = ratio(lr.Tiers["l1"]+lr.Tiers["l2"], lr.OK)
	rr.ByteHitRatio = ratio(bytesHit, bytesAll)
	rr.BytesServed = bytesAll
	per1k := func(n int64) float64 { return 1000 * ratio(n, lr.Completed) }
	if renders != nil {
		rr.Renders = renders.Load() - rend0
		rr.RunRenders = renders.Load() - rendAll
	} else {
		rr.Renders = lr.Tiers["render"]
	}
	rr.RendersPer1k = per1k(rr.Renders)
	if counters != nil {
		d := counters.Snapshot().Sub(calls0)
		rr.S3Gets, rr.S3Puts = d.Gets, d.Puts
		rr.S3GetsPer1k = per1k(d.Gets)
	}
	rr.CPUSeconds = cpu.Seconds()
	rr.CPUmsPerReq = 1000 * rr.CPUSeconds / float64(max(lr.Completed, 1))
	rr.PeakRSSMiB = float64(peakRSS()) / (1 << 20)
	rr.RunDistinct = lr.DistinctRequested
	for _, n := range lr.HeaderRenders {
		rr.MaxHdrRenders = max(rr.MaxHdrRenders, n)
	}
	e.say("  %-9s %-8s %5.0f req/s  p50 %7.1f ms  p99 %7.1f ms  hit l1 %.2f l2 %.2f  renders/1k %6.1f  S3 GETs/1k %6.1f  errors %d",
		rr.Layout, rr.Phase, rr.Rate, rr.Latency.P50, rr.Latency.P99, rr.HitRatio["l1"], rr.HitRatio["l2"], rr.RendersPer1k, rr.S3GetsPer1k, rr.Errors+rr.Dropped)
	return nil
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (e *env) layouts() ([]Layout, error) {
	var out []Layout
	for _, n := range e.opts.Layouts {
		l, err := LayoutByName(n, e.opts.L1Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// external runs the workload against --url, once per rate.
func (e *env) external(ctx context.Context, rates []float64) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, rate := range rates {
		w := e.newWorkload(c, rate)
		rr := e.newRunResult(runSpec{layout: Layout{Name: "external"}, phase: "cold", rate: rate, w: w})
		rr.S3LatencyMs, rr.S3JitterMs = 0, 0
		if err := e.measure(ctx, rr, w, "", e.opts.URLTemplate, nil, nil); err != nil {
			return out, err
		}
		out = append(out, rr)
	}
	return out, nil
}

func (e *env) tiers(ctx context.Context) ([]*RunResult, error) {
	if e.opts.URLTemplate != "" {
		return e.external(ctx, []float64{e.opts.Rate})
	}
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	w := e.newWorkload(c, e.opts.Rate)
	e.say("tiers: %d variants, %d requests per run (%d warm-up) at %.0f req/s, S3 %s ± %s", len(w.variants), len(w.seq), w.warmup, e.opts.Rate, e.opts.S3Latency, e.opts.S3Jitter)
	var out []*RunResult
	for _, l := range layouts {
		rr, l2, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: e.opts.Rate, w: w})
		if err != nil {
			return out, err
		}
		out = append(out, rr)
		if e.opts.Restart && l.L1Bytes > 0 {
			// A restart: a fresh process (empty L1) over the same L2.
			rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "restart", rate: e.opts.Rate, w: w, results: l2})
			if err != nil {
				return out, err
			}
			out = append(out, rr)
		}
	}
	return out, nil
}

func (e *env) sweepRate(ctx context.Context) ([]*RunResult, error) {
	if e.opts.URLTemplate != "" {
		return e.external(ctx, e.opts.Rates)
	}
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, rate := range e.opts.Rates {
		w := e.newWorkload(c, rate)
		for _, l := range layouts {
			rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: rate, w: w})
			if err != nil {
				return out, err
			}
			out = append(out, rr)
		}
	}
	return out, nil
}

func (e *env) sweepL1(ctx context.Context) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	w := e.newWorkload(c, e.opts.Rate)
	var out []*RunResult
	for _, b := range e.opts.L1Budgets {
		l := Layout{Name: "l1", L1Bytes: b}
		rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: e.opts.Rate, w: w})
		if err != nil {
			return out, err
		}
		out = append(out, rr)
	}
	return out, nil
}

func (e *env) growth(ctx context.Context) ([]*RunResult, error) {
	layouts, err := e.layouts()
	if err != nil {
		return nil, err
	}
	var out []*RunResult
	for _, n := range e.opts.SKUsList {
		c, err := GenerateCatalog(e.opts.DemoDir, n, e.opts.MaxViews)
		if err != nil {
			return out, err
		}
		w := e.newWorkload(c, e.opts.Rate)
		for _, l := range layouts {
			rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "cold", rate: e.opts.Rate, w: w})
			if err != nil {
				return out, err
			}
			out = append(out, rr)
		}
	}
	return out, nil
}

// coldStart compares a new regional deployment serving from an empty L2
// with one whose L2 was prewarmed through POST /admin/warm (the warming
// origin is then replaced by a fresh one, so L1 starts empty in both).
func (e *env) coldStart(ctx context.Context) ([]*RunResult, error) {
	c, err := e.catalogFor(0)
	if err != nil {
		return nil, err
	}
	l, err := LayoutByName("l1+l2", e.opts.L1Bytes)
	if err != nil {
		return nil, err
	}
	w := e.newWorkload(c, e.opts.Rate)
	rr, _, err := e.runOne(ctx, runSpec{layout: l, phase: "no-prewarm", rate: e.opts.Rate, w: w})
	if err != nil {
		return nil, err
	}
	out := []*RunResult{rr}

	orig, err := e.originals(ctx, c)
	if err != nil {
		return out, err
	}
	results, err := e.newResults(ctx)
	if err != nil {
		return out, err
	}
	counters := &StoreCounters{}
	o, err := StartOrigin(ctx, l, NewDelayBlob(orig, e.opts.S3Latency, e.opts.S3Jitter, counters),
		NewDelayBlob(results, e.opts.S3Latency, e.opts.S3Jitter, counters), e.tmp, e.log)
	if err != nil {
		return out, err
	}
	skus := w.topSKUs(e.opts.WarmSKUs)
	t0 := time.Now()
	job, err := Warm(ctx, o.URL, WarmBody{Hub: e.opts.WarmHub, SKUs: skus, Locales: e.opts.Locales, Presets: e.opts.Presets, Formats: e.opts.Formats}, 10*time.Minute)
	o.Close()
	if err != nil {
		return out, err
	}
	notes := fmt.Sprintf("prewarmed %d SKUs via POST /admin/warm (hub %s): %d variants, %d rendered, %d failed in %s",
		len(skus), e.opts.WarmHub, job.Total, job.Rendered, job.Failed, time.Since(t0).Round(time.Millisecond))
	e.say("  %s", notes)
	rr, _, err = e.runOne(ctx, runSpec{layout: l, phase: "prewarmed", rate: e.opts.Rate, w: w, results: results, notes: notes})
	if err != nil {
		return out, err
	}
	return append(out, rr), nil
}

// WarmBody is the body of POST /admin/warm.
type WarmBody struct {
	Hub     string   `json:"hub"`
	SKUs    []string `json:"skus,omitempty"`
	Locales []string `json:"locales,omitempty"`
	Presets []string `json:"presets,omitempty"`
	Formats []string `json:"formats,omitempty"`
}

// WarmJob is the warm job's status.
type WarmJob struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Total    int    `json:"total"`
	Done     int64  `json:"done"`
	Rendered int64  `json:"rendered"`
	Failed   int64  `json:"failed"`
}

// Warm starts a warm job and polls it until it is done or timeout passes.
func Warm(ctx context.Context, base string, body WarmBody, timeout time.Duration) (WarmJob, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var job WarmJob
	data, _ := json.Marshal(body)
	if err := adminCall(ctx, http.MethodPost, base+"/admin/warm", data, http.StatusAccepted, &job); err != nil {
		return job, err
	}
	for job.State != "done" {
		select {
		case <-ctx.Done():
			return job, fmt.Errorf("warm job %s: %w", job.ID, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
		if err := adminCall(ctx, http.MethodGet, base+"/admin/warm/"+job.ID, nil, http.StatusOK, &job); err != nil {
			return job, err
		}
	}
	return job, nil
}

func adminCall(ctx context.Context, method, u string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}
