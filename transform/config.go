package transform

import (
	"fmt"
	"runtime"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

// Config bounds and tunes rendering.
type Config struct {
	MaxSourcePixels int64         `env:"MAX_SOURCE_PIXELS" envDefault:"50000000" help:"largest source accepted, in pixels (width × height × frames), checked from the header before decoding"`
	MaxSourceBytes  bytesize.Size `env:"MAX_SOURCE_BYTES" envDefault:"64MiB" help:"largest source file accepted"`
	MaxOutputWidth  int           `env:"MAX_OUTPUT_WIDTH" envDefault:"4096" help:"largest output width a variant may ask for"`
	MaxOutputHeight int           `env:"MAX_OUTPUT_HEIGHT" envDefault:"4096" help:"largest output height a variant may ask for"`
	MaxDPR          float64       `env:"MAX_DPR" envDefault:"4" help:"largest device-pixel ratio an ad-hoc variant may ask for"`
	Concurrency     int           `env:"RENDER_CONCURRENCY" envDefault:"0" help:"renders running at once (0 = number of CPUs)"`
	Queue           int           `env:"RENDER_QUEUE" envDefault:"64" help:"renders allowed to wait for a slot; beyond it requests get 503 with Retry-After"`
	QueueWait       time.Duration `env:"RENDER_QUEUE_WAIT" envDefault:"20ms" help:"longest a render waits for a slot while more wait than run at once; past it the request gets 503 render_busy with Retry-After (0 = up to RENDER_TIMEOUT)"`
	RenderNice      int           `env:"RENDER_NICE" envDefault:"10" help:"nice value (0-19) of the threads renders run on, so requests served from cache win the CPU from renders (Linux; 0 = off)"`
	RenderIdle      bool          `env:"RENDER_SCHED_IDLE" envDefault:"false" help:"run renders on SCHED_IDLE threads (Linux): a request served from cache preempts a render at once instead of waiting for its time slice, and renders get only the CPU nobody else in the container wants (the k8s manifests turn it on; leave it off where other busy processes share the CPU, or renders starve)"`
	RenderTimeout   time.Duration `env:"RENDER_TIMEOUT" envDefault:"20s" help:"longest a request waits for its render"`
	QualityJPEG     int           `env:"QUALITY_JPEG" envDefault:"82" help:"default JPEG quality (1-100)"`
	QualityWebP     int           `env:"QUALITY_WEBP" envDefault:"80" help:"default WebP quality (1-100)"`
	QualityAVIF     int           `env:"QUALITY_AVIF" envDefault:"60" help:"default AVIF quality (1-100)"`
	AVIFSpeed       int           `env:"AVIF_SPEED" envDefault:"8" help:"AVIF encoder speed 0 (smallest) to 8 (fastest)"`
	WebPEffort      int           `env:"WEBP_EFFORT" envDefault:"2" help:"WebP encoder effort 0 (fastest) to 6 (smallest); 2 encodes in half the time of 4 for 4-10 % more bytes at equal quality"`
	VipsThreads     int           `env:"VIPS_THREADS" envDefault:"1" help:"libvips worker threads per render; renders already run in parallel"`
	MallocArenas    int           `env:"MALLOC_ARENAS" envDefault:"2" help:"glibc malloc arenas (0 = glibc's default, 8 per core); 2 keeps RSS flat under concurrent renders. Read from the environment at process start; MALLOC_ARENA_MAX, when set, wins"`
	MallocTrim      time.Duration `env:"MALLOC_TRIM_INTERVAL" envDefault:"10s" help:"at most this often, after a render, return the C heap's free pages to the kernel (glibc malloc_trim), so RSS follows the working set; 0 turns it off"`
	SRGBProfile     string        `env:"SRGB_PROFILE" envDefault:"embed" help:"how JPEG, PNG and WebP variants in sRGB are tagged: embed (our 972-byte compact sRGB profile) or omit (untagged, which browsers read as sRGB; about 1 KB less per variant). sRGB AVIF is always tagged by CICP, Display P3 always embeds its profile"`
	JPEGProgressive bool          `env:"JPEG_PROGRESSIVE" envDefault:"true" help:"encode JPEG variants larger than 400×400 px as progressive (a preview paints at once, about 2 % fewer bytes) at about 1.3× the encode's CPU; false encodes baseline, as imgproxy does by default"`
	VipsVector      bool          `env:"VIPS_VECTOR" envDefault:"true" help:"let libvips use liborc's run-time SIMD code (about 1.5× faster large resizes); edgeshelf serialises liborc's compiles, which unserialised corrupt the heap under concurrent renders with liborc 0.4.33, and leaves it off if that lock cannot be installed (the cache key then says off)"`
	// The gamut thresholds decide which space a P3 locale's variant is
	// rendered in; the key records that space, not the thresholds.
	GamutMinShare  float64 `env:"GAMUT_MIN_SHARE" envDefault:"0.001" help:"a P3 locale gets a Display P3 variant only when more than this share of the photo's visible pixels (0.001 = 0.1 %) lie outside sRGB by more than GAMUT_MIN_DELTA_E; otherwise it is served the sRGB variant, sharing its cache entry (X-Colour-Gamut: srgb-shared)"`
	GamutMinDeltaE float64 `env:"GAMUT_MIN_DELTA_E" envDefault:"1" help:"CIEDE2000 by which a pixel must move when clipped to sRGB to count as outside sRGB (1 is about the smallest difference an eye sees side by side)"`
	// q=auto's bounds (autoquality.go); in the key of q=auto variants only.
	AutoQualityFloor    float64 `env:"AUTO_QUALITY_FLOOR" envDefault:"0.4" help:"lowest encoder quality q=auto tries, as a share of the format's default quality (0.4: JPEG 33, WebP 32, AVIF 24, each on its own scale); the default is the ceiling"`
	AutoQualityEncodes  int     `env:"AUTO_QUALITY_ENCODES" envDefault:"5" help:"trial encodes q=auto's search may make per variant (1-8), each decoded and measured; the choice is then cached per original, geometry, format and look"`
	AutoQualityDeltaE   float64 `env:"AUTO_QUALITY_DELTA_E" envDefault:"1" help:"q=auto: how much farther (CIEDE2000) the encoded swatch may be from its declared colour than the unencoded variant's swatch is"`
	AutoQualityMinScore float64 `env:"AUTO_QUALITY_MIN_SCORE" envDefault:"0.995" help:"q=auto: lowest MS-SSIM (on CIE L*, 1 = identical) the encoded variant may score against its unencoded pixels"`
	// The source pyramid (pyramid.go); the ratio and PyramidVersion are in
	// the key, the memory budget changes no bytes.
	PyramidMinRatio float64 `env:"PYRAMID_MIN_RATIO" envDefault:"2" help:"a variant miss renders from the smallest source-pyramid level (upright 512/1024/2048 px mezzanines made from one decode of the original) holding at least this many times the variant's pixels; larger variants use the original; 0 turns the pyramid off"`
	// PyramidAdmit is in the key too: it decides which misses render from
	// the original while a pyramid could serve them.
	PyramidAdmit int           `env:"PYRAMID_ADMIT" envDefault:"2" help:"misses of an original that build its source pyramid: at 2 a lone first miss renders straight from the original (a one-off image never pays for mezzanines) and the second miss, or several misses of it arriving together, builds it; 1 builds it on the first miss, as a HEIF or AVIF original always does (its pyramid costs about one render from it and spares every later variant the whole decode)"`
	PyramidBytes bytesize.Size `env:"PYRAMID_BYTES" envDefault:"128MiB" help:"memory kept for hot source-pyramid levels (their L2 copies live under pyramids/ in the store)"`
}

// Defaults is the configuration with every setting at its default, for
// programs and tests that start libvips without the config package.
func Defaults() Config {
	var c Config
	// The defaults are constants in the struct tags; TestDefaults parses them.
	if err := env.ParseWithOptions(&c, env.Options{Environment: map[string]string{}}); err != nil {
		panic(fmt.Sprintf("transform.Config defaults: %v", err))
	}
	return c
}

// Validate checks ranges; errors name the environment key.
func (c Config) Validate() error {
	checks := []struct {
		ok  bool
		key string
		msg string
	}{
		{c.MaxSourcePixels > 0, "MAX_SOURCE_PIXELS", "must be > 0"},
		{c.MaxSourceBytes > 0, "MAX_SOURCE_BYTES", "must be > 0"},
		{c.MaxOutputWidth > 0 && c.MaxOutputWidth <= 16384, "MAX_OUTPUT_WIDTH", "must be within 1..16384"},
		{c.MaxOutputHeight > 0 && c.MaxOutputHeight <= 16384, "MAX_OUTPUT_HEIGHT", "must be within 1..16384"},
		{c.MaxDPR >= 1 && c.MaxDPR <= 8, "MAX_DPR", "must be within 1..8"},
		{c.Concurrency >= 0, "RENDER_CONCURRENCY", "must be ≥ 0"},
		{c.Queue >= 0, "RENDER_QUEUE", "must be ≥ 0"},
		{c.QueueWait >= 0, "RENDER_QUEUE_WAIT", "must be ≥ 0"},
		{c.RenderNice >= 0 && c.RenderNice <= 19, "RENDER_NICE", "must be within 0..19"},
		{c.RenderTimeout > 0, "RENDER_TIMEOUT", "must be > 0"},
		{c.QualityJPEG >= 1 && c.QualityJPEG <= 100, "QUALITY_JPEG", "must be within 1..100"},
		{c.QualityWebP >= 1 && c.QualityWebP <= 100, "QUALITY_WEBP", "must be within 1..100"},
		{c.QualityAVIF >= 1 && c.QualityAVIF <= 100, "QUALITY_AVIF", "must be within 1..100"},
		// Speed 9 would be libvips effort 0, which govips never passes on:
		// the encoder would then run at libvips' defaults, effort 4 and
		// 12 bits, four times slower than speed 8.
		{c.AVIFSpeed >= 0 && c.AVIFSpeed <= 8, "AVIF_SPEED", "must be within 0..8"},
		{c.WebPEffort >= 0 && c.WebPEffort <= 6, "WEBP_EFFORT", "must be within 0..6"},
		{c.VipsThreads >= 1 && c.VipsThreads <= 64, "VIPS_THREADS", "must be within 1..64"},
		{c.MallocArenas >= 0 && c.MallocArenas <= 1024, "MALLOC_ARENAS", "must be within 0..1024"},
		{c.MallocTrim >= 0, "MALLOC_TRIM_INTERVAL", "must be ≥ 0"},
		{c.SRGBProfile == SRGBProfileEmbed || c.SRGBProfile == SRGBProfileOmit, "SRGB_PROFILE", "must be embed or omit"},
		{c.GamutMinShare >= 0 && c.GamutMinShare < 1, "GAMUT_MIN_SHARE", "must be within 0..1 (1 excluded)"},
		{c.GamutMinDeltaE >= 0 && c.GamutMinDeltaE <= 100, "GAMUT_MIN_DELTA_E", "must be within 0..100"},
		{c.AutoQualityFloor > 0 && c.AutoQualityFloor <= 1, "AUTO_QUALITY_FLOOR", "must be within 0..1 (0 excluded)"},
		{c.AutoQualityEncodes >= 1 && c.AutoQualityEncodes <= 8, "AUTO_QUALITY_ENCODES", "must be within 1..8"},
		{c.AutoQualityDeltaE >= 0 && c.AutoQualityDeltaE <= 100, "AUTO_QUALITY_DELTA_E", "must be within 0..100"},
		{c.PyramidMinRatio == 0 || c.PyramidMinRatio >= 1, "PYRAMID_MIN_RATIO", "must be 0 (off) or ≥ 1"},
		{c.PyramidAdmit >= 1 && c.PyramidAdmit <= 100, "PYRAMID_ADMIT", "must be within 1..100"},
		{c.PyramidBytes >= 0, "PYRAMID_BYTES", "must be ≥ 0"},
		{c.AutoQualityMinScore > 0 && c.AutoQualityMinScore <= 1, "AUTO_QUALITY_MIN_SCORE", "must be within 0..1 (0 excluded)"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("EDGESHELF_%s: %s", ch.key, ch.msg)
		}
	}
	return nil
}

func (c Config) maxDPR() float64 {
	if c.MaxDPR < 1 {
		return 1
	}
	return c.MaxDPR
}

func (c Config) concurrency() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return runtime.NumCPU()
}
