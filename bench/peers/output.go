package peers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Results are one run: results.json.
type Results struct {
	Command  string            `json:"command"`
	Started  time.Time         `json:"started"`
	Host     map[string]string `json:"host"`
	Settings map[string]string `json:"settings"`
	Servers  map[string]string `json:"servers"` // name → version
	Rows     []Row             `json:"rows"`
	Samples  []SampleSummary   `json:"samples"`
}

// SampleSummary is one measurement as results.json keeps it.
type SampleSummary struct {
	Workload   string   `json:"workload"`
	Format     string   `json:"format"`
	Server     string   `json:"server"`
	Round      int      `json:"round"`
	OK         int64    `json:"ok"`
	Failed     int64    `json:"failed"`
	ElapsedSec float64  `json:"elapsed_s"`
	CPUSec     float64  `json:"cpu_s"`
	Bytes      int64    `json:"bytes"`
	ICCBytes   int64    `json:"icc_bytes"`
	P50ms      float64  `json:"p50_ms"`
	P99ms      float64  `json:"p99_ms"`
	Duplicates int64    `json:"duplicates"`
	Problems   []string `json:"problems,omitempty"`
}

// NewResults gathers samples and the settings they were taken with.
func NewResults(o Options, samples []Sample, versions map[string]string, started time.Time) *Results {
	r := &Results{
		Started: started, Servers: versions,
		Host: map[string]string{"os": runtime.GOOS, "arch": runtime.GOARCH, "go": runtime.Version(),
			"cpus": fmt.Sprint(runtime.NumCPU())},
		Settings: map[string]string{
			"originals":   o.Originals.Description(),
			"quality":     fmt.Sprint(Quality),
			"webp_effort": fmt.Sprint(WebPEffort),
			"avif_speed":  fmt.Sprint(AVIFSpeed),
			"concurrency": fmt.Sprint(o.Concurrency),
			"rounds":      fmt.Sprint(o.Rounds),
			"duration":    o.Duration.String(),
			"caches":      "off on both: edgeshelf --l1-bytes 0 --l2=false; imgproxy has no result cache",
			"queueing": fmt.Sprintf("both queue without shedding (edgeshelf --render-queue-wait 0); workers: %d on both "+
				"(imgproxy's default, two per CPU: edgeshelf --render-concurrency %d, IMGPROXY_WORKERS=%d), all at nice 0 "+
				"like the load generator (edgeshelf --render-nice 0; its default 10 favours cache hits, and there are none here) "+
				"unless the command line says otherwise", Workers(), Workers(), Workers()),
		},
	}
	r.Rows = Aggregate(samples, o.Sides[0].Name, o.Sides[1].Name)
	for _, s := range samples {
		r.Samples = append(r.Samples, SampleSummary{
			Workload: s.Workload, Format: s.Format, Server: s.Server, Round: s.Round, OK: s.OK, Failed: s.Failed,
			ElapsedSec: s.Elapsed.Seconds(), CPUSec: s.CPU.Seconds(), Bytes: s.Bytes, ICCBytes: s.ICCBytes,
			P50ms: float64(s.Hist.ValueAtQuantile(50)) / 1000, P99ms: float64(s.Hist.ValueAtQuantile(99)) / 1000,
			Duplicates: s.Duplicates, Problems: s.Problems,
		})
	}
	return r
}

// Failed is how many responses of the run were wrong.
func (r *Results) Failed() int64 {
	var n int64
	for _, s := range r.Samples {
		n += s.Failed
	}
	return n
}

// Report is report.md.
func (r *Results) Report() string {
	var b strings.Builder
	b.WriteString("# edgeshelf vs imgproxy, side by side\n\n")
	fmt.Fprintf(&b, "`%s`, %s, %s/%s, %s CPUs, %s.\n\n", r.Command, r.Started.UTC().Format(time.RFC3339),
		r.Host["os"], r.Host["arch"], r.Host["cpus"], r.Host["go"])
	fmt.Fprintf(&b, "Servers: edgeshelf %s, imgproxy %s, both on this machine's libvips. Originals: %s. "+
		"Both at quality %s, WebP effort %s, AVIF speed %s, baseline JPEG (imgproxy's default; edgeshelf --jpeg-progressive=false), libvips' liborc SIMD code on both (edgeshelf --vips-vector=true), output format named in the URL. Caches: %s. Queueing: %s. "+
		"Load: closed loop, %s connections, servers measured in turn (edgeshelf, imgproxy) %s rounds; "+
		"steady and product-page %s per server, format and round; cold originals: every original once "+
		"per freshly started server. Every response checked: 200, the format asked for (from its bytes) "+
		"and the width (from its header).\n\n",
		r.Servers["edgeshelf"], r.Servers["imgproxy"], r.Settings["originals"], r.Settings["quality"],
		r.Settings["webp_effort"], r.Settings["avif_speed"], r.Settings["caches"], r.Settings["queueing"], r.Settings["concurrency"],
		r.Settings["rounds"], r.Settings["duration"])
	b.WriteString("Ratios are edgeshelf/imgproxy: above 1 is better for rps, below 1 for latency, CPU and bytes. " +
		"\"of which ICC\": the bytes of an embedded ICC profile; imgproxy strips profiles " +
		"(IMGPROXY_STRIP_COLOR_PROFILE, its default) and edgeshelf runs with --srgb-profile omit to match " +
		"(sRGB AVIF is tagged by CICP either way); the ratio row's second bytes figure compares the image " +
		"data without any profile. \"cores busy\": the server's CPU seconds per wall second. " +
		"Shared machines move absolute numbers ±20 % between runs: read the ratios, and CPU-ms per request " +
		"(other work steals wall time, not the server's own CPU time).\n\n")
	b.WriteString(Tables(r.Rows))
	if n := r.Failed(); n > 0 {
		fmt.Fprintf(&b, "**%d responses failed** (wrong status, format or size); first problems:\n\n", n)
		for _, s := range r.Samples {
			for _, p := range s.Problems {
				fmt.Fprintf(&b, "- %s %s round %d: %s\n", s.Server, s.Workload, s.Round, p)
			}
		}
	}
	return b.String()
}

// Write puts results.json and report.md in dir.
func (r *Results) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "report.md"), []byte(r.Report()), 0o644)
}
