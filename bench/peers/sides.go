package peers

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"runtime"
	"strconv"
)

// Formats are the output formats compared, as edgeshelf and imgproxy both
// name them in URLs.
var Formats = []string{"jpg", "webp", "avif"}

// AdHocWidth is the width of the steady-state and cold-original variants
// (issue #16: 6 MP originals to 400 px wide).
const AdHocWidth = 400

// Variant is one requested output: an original of size Source, a format,
// and either a Preset or (Preset nil) AdHocWidth wide at Quality.
type Variant struct {
	SKU    string
	Path   string // of the original inside the set
	Source image.Point
	Format string
	Preset *Preset
}

// Variant names original sku's output in format f (preset nil: ad hoc).
func (o *Originals) Variant(sku, f string, preset *Preset) Variant {
	return Variant{SKU: sku, Path: o.Path(sku), Source: o.Size, Format: f, Preset: preset}
}

// Key names the variant, the same on both servers.
func (v Variant) Key() string {
	name := "adhoc"
	if v.Preset != nil {
		name = v.Preset.Name
	}
	return v.SKU + "/" + v.Format + "/" + name
}

// Want is the size a variant must come back at (checked: width exactly,
// height within a pixel, as the servers round a downscale apart). Neither
// server enlarges: a fit-inside width is at most the source's.
func (v Variant) Want() (width, height int) {
	if v.Preset != nil && v.Preset.Cover {
		return v.Preset.Width, v.Preset.Height
	}
	w := AdHocWidth
	if v.Preset != nil {
		w = v.Preset.Width
	}
	w = min(w, v.Source.X)
	return w, (w*v.Source.Y + v.Source.X/2) / v.Source.X
}

// Settings are what both servers are told, so they encode alike.
const (
	WebPEffort = 4 // imgproxy v4's default
	AVIFSpeed  = 8 // imgproxy v4's default
)

// Workers is how many renders each server runs at once: imgproxy's default
// (IMGPROXY_WORKERS: two per GOMAXPROCS, which is the CPUs here), given to
// both.
func Workers() int { return 2 * runtime.GOMAXPROCS(0) }

// Edgeshelf serves from an fs store with both cache tiers off, every
// format's default quality and the encoder efforts set to imgproxy's,
// nothing in the background (catalog/routing polls, decision log). Its
// render queue waits as imgproxy's does (unbounded): by default edgeshelf
// sheds a render that waited 20 ms with 503 render_busy, which a closed
// loop of 8 on 2 cores triggers and which would count as failures. It runs
// Workers renders at nice 0, as imgproxy does: edgeshelf's default nice 10
// lets cache hits win the CPU, but here there are no hits and the load
// generator shares the cores, so at nice 10 edgeshelf's renders alone would
// yield to it. extra flags come last, so they win.
func Edgeshelf(bin string, extra ...string) Side {
	q := strconv.Itoa(Quality)
	return Side{
		Name: "edgeshelf",
		Command: func(addr, root string) *exec.Cmd {
			cmd := exec.Command(bin, "serve", "--store", root, "--listen", addr,
				"--l1-bytes", "0", "--l2=false",
				"--quality-jpeg", q, "--quality-webp", q, "--quality-avif", q,
				"--webp-effort", strconv.Itoa(WebPEffort), "--avif-speed", strconv.Itoa(AVIFSpeed),
				"--render-queue-wait", "0",
				"--render-concurrency", strconv.Itoa(Workers()), "--render-nice", "0",
				// imgproxy strips colour profiles by default (untagged
				// sRGB): equal output needs edgeshelf's sRGB variants
				// untagged too.
				"--srgb-profile", "omit",
				// imgproxy encodes baseline JPEG by default; edgeshelf's
				// progressive JPEG (over 400×400 px) costs about 1.3× the
				// encode's CPU for about 2 % fewer bytes.
				"--jpeg-progressive=false",
				// imgproxy runs libvips with liborc's SIMD code, as
				// edgeshelf does when asked (its compiles serialised).
				"--vips-vector=true",
				"--catalog-poll", "0", "--routing-poll", "0", "--decision-log=false")
			cmd.Args = append(cmd.Args, extra...)
			cmd.Env = cleanEnv("EDGESHELF_")
			return cmd
		},
		HealthPath: "/readyz",
		URL: func(v Variant) string {
			if v.Preset == nil {
				return fmt.Sprintf("/img/%s/%s/_.%s?w=%d&q=%d", v.SKU, View, v.Format, AdHocWidth, Quality)
			}
			return fmt.Sprintf("/img/%s/%s/%s.%s", v.SKU, View, v.Preset.Name, v.Format)
		},
		FreshRoot: true,
	}
}

// Imgproxy serves the originals from its local filesystem root with its
// defaults (metadata and colour profile stripped, no result cache: the open
// source edition has none), the same quality and encoder efforts, and
// Workers set explicitly (its default, so a developer's shell cannot move it).
func Imgproxy(bin string) Side {
	return Side{
		Name: "imgproxy",
		Command: func(addr, root string) *exec.Cmd {
			cmd := exec.Command(bin)
			cmd.Env = append(cleanEnv("IMGPROXY_"),
				"IMGPROXY_BIND="+addr,
				"IMGPROXY_LOCAL_FILESYSTEM_ROOT="+root,
				"IMGPROXY_QUALITY="+strconv.Itoa(Quality),
				fmt.Sprintf("IMGPROXY_FORMAT_QUALITY=webp=%d,avif=%d", Quality, Quality),
				"IMGPROXY_WEBP_EFFORT="+strconv.Itoa(WebPEffort),
				"IMGPROXY_AVIF_SPEED="+strconv.Itoa(AVIFSpeed),
				"IMGPROXY_LOG_LEVEL=warn",
				"IMGPROXY_WORKERS="+strconv.Itoa(Workers()),
			)
			return cmd
		},
		HealthPath: "/health",
		URL: func(v Variant) string {
			rs := fmt.Sprintf("rs:fit:%d:0", AdHocWidth)
			if p := v.Preset; p != nil && p.Cover {
				rs = fmt.Sprintf("rs:fill:%d:%d/g:ce", p.Width, p.Height)
			} else if p != nil {
				rs = fmt.Sprintf("rs:fit:%d:0", p.Width)
			}
			return fmt.Sprintf("/insecure/%s/q:%d/plain/local:///%s@%s", rs, Quality, v.Path, v.Format)
		},
	}
}

// cleanEnv is this process's environment without the server's own
// settings, so a developer's shell cannot change one side's output.
func cleanEnv(prefix string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if len(kv) < len(prefix) || kv[:len(prefix)] != prefix {
			out = append(out, kv)
		}
	}
	return out
}
