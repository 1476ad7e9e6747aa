package peers

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Stats are one server's measurements of one workload and format, all
// rounds together.
type Stats struct {
	Requests    int64   `json:"requests"` // OK responses
	Failed      int64   `json:"failed"`
	RPS         float64 `json:"rps"` // OK responses per second of measured time
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	CPUmsPerReq float64 `json:"cpu_ms_per_req"`
	BytesPerRes float64 `json:"bytes_per_response"`
	// ICCPerRes is the embedded ICC profile's share of BytesPerRes.
	ICCPerRes float64 `json:"icc_bytes_per_response"`
	// CoresBusy is the server's CPU time per second of wall time: below
	// the machine's cores, it left CPU idle under the closed loop.
	CoresBusy   float64   `json:"cores_busy"`
	NotRendered int64     `json:"not_rendered"` // responses served from a cache tier
	Duplicates  int64     `json:"duplicates"`   // requests sent while the same variant was in flight
	RoundRPS    []float64 `json:"round_rps"`
	// sizes are the bytes of every variant served, all rounds together.
	sizes map[string]Size
}

// Row compares the servers on one workload and format: A is the first
// side (edgeshelf), B the peer; ratios are A/B.
type Row struct {
	Workload string           `json:"workload"`
	Format   string           `json:"format"`
	Servers  map[string]Stats `json:"servers"`
	A, B     string           `json:"-"`
	Ratios   Ratios           `json:"ratios"`
}

// Ratios are A/B. RoundRPS is the rps ratio of each round alone: its spread
// is the run's noise.
type Ratios struct {
	RPS, P50, P99, CPUPerReq, Bytes float64
	// BytesNoICC compares the image data alone, without embedded profiles.
	BytesNoICC float64
	RoundRPS   []float64
	// EqualBytes: A's bytes per response within ±3 % of B's, the condition
	// for reading the rps ratio as "faster at the same output".
	EqualBytes bool
	// MatchedVariants is how many variants Bytes compares: those both
	// servers served, each once. Per-response means would compare other
	// samples of the catalog (a server at 2 rps covers 16 of 64 originals
	// in 8 s, one at 100 rps all of them); 0: the means were compared.
	MatchedVariants int
}

// equalBytesTolerance is how far bytes per response may differ for two
// servers' throughputs to be compared as equal outputs.
const equalBytesTolerance = 0.03

// Aggregate builds a Row per workload and format from samples; sides name
// A then B.
func Aggregate(samples []Sample, a, b string) []Row {
	var rows []Row
	for _, w := range Workloads {
		for _, f := range Formats {
			row := Row{Workload: w, Format: f, Servers: map[string]Stats{}, A: a, B: b}
			for _, name := range []string{a, b} {
				if st, ok := stats(samples, w, f, name); ok {
					row.Servers[name] = st
				}
			}
			if len(row.Servers) == 2 {
				row.Ratios = ratios(row.Servers[a], row.Servers[b])
				rows = append(rows, row)
			}
		}
	}
	return rows
}

func stats(samples []Sample, w, f, server string) (Stats, bool) {
	st := Stats{sizes: map[string]Size{}}
	var elapsed, cpu time.Duration
	var bytes, icc int64
	hist := hdrhistogram.New(1, 300_000_000, 3)
	found := false
	for _, s := range samples {
		if s.Workload != w || s.Format != f || s.Server != server {
			continue
		}
		found = true
		st.Requests += s.OK
		st.Failed += s.Failed
		st.NotRendered += s.NotRendered
		st.Duplicates += s.Duplicates
		elapsed += s.Elapsed
		cpu += s.CPU
		bytes += s.Bytes
		icc += s.ICCBytes
		st.RoundRPS = append(st.RoundRPS, perSecond(s.OK, s.Elapsed))
		maps.Copy(st.sizes, s.Sizes)
		if s.Hist != nil {
			hist.Merge(s.Hist)
		}
	}
	if !found {
		return st, false
	}
	st.RPS = perSecond(st.Requests, elapsed)
	if elapsed > 0 {
		st.CoresBusy = cpu.Seconds() / elapsed.Seconds()
	}
	st.P50ms = float64(hist.ValueAtQuantile(50)) / 1000
	st.P99ms = float64(hist.ValueAtQuantile(99)) / 1000
	if st.Requests > 0 {
		st.CPUmsPerReq = float64(cpu.Microseconds()) / 1000 / float64(st.Requests)
		st.BytesPerRes = float64(bytes) / float64(st.Requests)
		st.ICCPerRes = float64(icc) / float64(st.Requests)
	}
	return st, true
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// ratio is a/b, 0 when b is (JSON has no NaN).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ratios(a, b Stats) Ratios {
	r := Ratios{
		RPS: ratio(a.RPS, b.RPS), P50: ratio(a.P50ms, b.P50ms), P99: ratio(a.P99ms, b.P99ms),
		CPUPerReq: ratio(a.CPUmsPerReq, b.CPUmsPerReq), Bytes: ratio(a.BytesPerRes, b.BytesPerRes),
		BytesNoICC: ratio(a.BytesPerRes-a.ICCPerRes, b.BytesPerRes-b.ICCPerRes),
	}
	var sa, sb Size
	for k, x := range a.sizes {
		if y, ok := b.sizes[k]; ok {
			sa.Bytes, sa.ICC, sb.Bytes, sb.ICC = sa.Bytes+x.Bytes, sa.ICC+x.ICC, sb.Bytes+y.Bytes, sb.ICC+y.ICC
			r.MatchedVariants++
		}
	}
	if r.MatchedVariants > 0 {
		r.Bytes = ratio(float64(sa.Bytes), float64(sb.Bytes))
		r.BytesNoICC = ratio(float64(sa.Bytes-sa.ICC), float64(sb.Bytes-sb.ICC))
	}
	r.EqualBytes = math.Abs(r.Bytes-1) <= equalBytesTolerance
	for i := range min(len(a.RoundRPS), len(b.RoundRPS)) {
		r.RoundRPS = append(r.RoundRPS, ratio(a.RoundRPS[i], b.RoundRPS[i]))
	}
	return r
}

// Valid is false when any response failed (wrong status, format or size):
// such a row's throughput counts no real renders and is not reported as a
// result.
func (r Row) Valid() bool {
	return r.Servers[r.A].Failed == 0 && r.Servers[r.B].Failed == 0
}

var workloadTitles = map[string]string{
	Steady:  "Steady state: variant misses of originals seen before (400 px wide)",
	Product: "Product-page traffic: thumb, card, pdp and zoom of originals seen before",
	Cold:    "Cold originals: each original's first request to a new server process (400 px wide)",
}

// Tables are the Markdown tables of rows, one per workload.
func Tables(rows []Row) string {
	var b strings.Builder
	for _, w := range Workloads {
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Workload == w })
		if i < 0 {
			continue
		}
		fmt.Fprintf(&b, "### %s\n\n", workloadTitles[w])
		b.WriteString("| format | server | rps | p50 ms | p99 ms | CPU-ms/req | cores busy | bytes/resp | of which ICC | failed | note |\n")
		b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, r := range rows[i:] {
			if r.Workload != w {
				continue
			}
			writeRow(&b, r)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func writeRow(b *strings.Builder, r Row) {
	for _, name := range []string{r.A, r.B} {
		s := r.Servers[name]
		fmt.Fprintf(b, "| %s | %s | %.1f | %.0f | %.0f | %.1f | %.2f | %.0f | %.0f | %d |%s |\n",
			r.Format, name, s.RPS, s.P50ms, s.P99ms, s.CPUmsPerReq, s.CoresBusy, s.BytesPerRes, s.ICCPerRes, s.Failed, cacheNote(s))
	}
	x := r.Ratios
	note := "bytes within ±3 %"
	if !x.EqualBytes {
		note = "bytes differ by more than 3 %: not an equal-output comparison"
	}
	if x.MatchedVariants > 0 {
		note += fmt.Sprintf(" (bytes: the %d variants both served)", x.MatchedVariants)
	}
	if !r.Valid() {
		note = "INVALID: failed responses"
	}
	fmt.Fprintf(b, "| %s | **%s/%s** | **%s** (rounds %s) | %s | %s | %s | | %s | %s | | %s |\n",
		r.Format, r.A, r.B, times(x.RPS), spread(x.RoundRPS), times(x.P50), times(x.P99), times(x.CPUPerReq),
		times(x.Bytes), times(x.BytesNoICC), note)
}

func times(v float64) string { return fmt.Sprintf("%.2f×", v) }

// spread is the lowest and highest of per-round ratios.
func spread(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f–%.2f", slices.Min(v), slices.Max(v))
}

// cacheNote flags what makes a run measure less than one render per
// response: answers from a cache tier, and identical requests in flight
// together (which one render may answer).
func cacheNote(s Stats) string {
	note := ""
	if s.NotRendered > 0 {
		note += fmt.Sprintf(" %d responses from a cache tier;", s.NotRendered)
	}
	if s.Duplicates > 0 {
		note += fmt.Sprintf(" %d requests duplicated one in flight;", s.Duplicates)
	}
	return note
}
