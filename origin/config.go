package origin

import (
	"fmt"
	"net"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

// Config configures the HTTP server and the headers it sends to CDNs.
type Config struct {
	Listen               string        `env:"LISTEN" envDefault:"127.0.0.1:8080" help:"address of the public API"`
	ShutdownTimeout      time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s" help:"how long in-flight requests may run after SIGTERM"`
	DrainDelay           time.Duration `env:"DRAIN_DELAY" envDefault:"0s" help:"after SIGTERM, how long /readyz reports 503 before the listener closes (let load balancers notice)"`
	ReadTimeout          time.Duration `env:"READ_TIMEOUT" envDefault:"10s" help:"longest time to read a request, headers and body (slowloris guard)"`
	WriteTimeout         time.Duration `env:"WRITE_TIMEOUT" envDefault:"60s" help:"longest time to write a response"`
	IdleTimeout          time.Duration `env:"IDLE_TIMEOUT" envDefault:"75s" help:"keep-alive idle timeout"`
	MaxHeaderBytes       bytesize.Size `env:"MAX_HEADER_BYTES" envDefault:"16KiB" help:"largest request header block"`
	MaxBodyBytes         bytesize.Size `env:"MAX_BODY_BYTES" envDefault:"1MiB" help:"largest request body (JSON APIs)"`
	RequestTimeout       time.Duration `env:"REQUEST_TIMEOUT" envDefault:"30s" help:"deadline for producing a variant, store reads included"`
	MaxAge               time.Duration `env:"CACHE_MAX_AGE" envDefault:"24h" help:"Cache-Control max-age for variants (browsers)"`
	SMaxAge              time.Duration `env:"CACHE_S_MAXAGE" envDefault:"720h" help:"Cache-Control s-maxage for variants (CDNs)"`
	StaleWhileRevalidate time.Duration `env:"CACHE_STALE_WHILE_REVALIDATE" envDefault:"1h" help:"Cache-Control stale-while-revalidate hint"`
	StaleIfError         time.Duration `env:"CACHE_STALE_IF_ERROR" envDefault:"168h" help:"Cache-Control stale-if-error hint"`
	ErrorMaxAge          time.Duration `env:"CACHE_ERROR_MAX_AGE" envDefault:"60s" help:"Cache-Control max-age for 404 responses"`
	SigningKeyFile       string        `env:"SIGNING_KEY_FILE" envDefault:"" help:"file with id:hex-key lines; with it, ad-hoc variants need a valid sig (off without it)"`
	SignPresets          bool          `env:"SIGN_PRESETS" envDefault:"false" help:"with signing on, require signatures on preset URLs too"`
	SignatureBytes       int           `env:"SIGNATURE_BYTES" envDefault:"16" help:"HMAC-SHA256 bytes kept in a signature (16..32)"`
	DeltaEThreshold      float64       `env:"COLOUR_DELTAE_THRESHOLD" envDefault:"2.0" help:"swatch ΔE2000 above which a variant is listed by /admin/reports/colour"`
	AdminListen          string        `env:"ADMIN_LISTEN" envDefault:"" help:"separate address for the /admin API (empty: the public listener serves it)"`
	ClientMaxInflight    int           `env:"CLIENT_MAX_INFLIGHT" envDefault:"256" help:"requests one client may have in flight; more get 429 (0 = no limit)"`
	ClientIPHeader       string        `env:"CLIENT_IP_HEADER" envDefault:"" help:"header a trusted CDN sets to the client IP (e.g. CF-Connecting-IP); empty: the TCP peer"`
	AdminTokenFile       string        `env:"ADMIN_TOKEN_FILE" envDefault:"" help:"file with admin bearer tokens, one per line; the admin API is off without it"`
	RoutingPoll          time.Duration `env:"ROUTING_POLL" envDefault:"2s" help:"how often rules/active.yaml and inventory/ are re-checked in the store, and routing rebound to a changed catalog (0 = never)"`
	RouteMaxAge          time.Duration `env:"ROUTE_MAX_AGE" envDefault:"30s" help:"Cache-Control max-age of GET /route answers (product pages); POST /route is never cached"`
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("EDGESHELF_LISTEN: %q is not host:port: %w", c.Listen, err)
	}
	durations := []struct {
		key string
		d   time.Duration
		min time.Duration
	}{
		{"SHUTDOWN_TIMEOUT", c.ShutdownTimeout, time.Second},
		{"READ_TIMEOUT", c.ReadTimeout, time.Millisecond},
		{"WRITE_TIMEOUT", c.WriteTimeout, time.Millisecond},
		{"IDLE_TIMEOUT", c.IdleTimeout, time.Millisecond},
		{"REQUEST_TIMEOUT", c.RequestTimeout, time.Millisecond},
		{"DRAIN_DELAY", c.DrainDelay, 0},
		{"CACHE_MAX_AGE", c.MaxAge, 0},
		{"CACHE_S_MAXAGE", c.SMaxAge, 0},
		{"CACHE_STALE_WHILE_REVALIDATE", c.StaleWhileRevalidate, 0},
		{"CACHE_STALE_IF_ERROR", c.StaleIfError, 0},
		{"CACHE_ERROR_MAX_AGE", c.ErrorMaxAge, 0},
		{"ROUTING_POLL", c.RoutingPoll, 0},
		{"ROUTE_MAX_AGE", c.RouteMaxAge, 0},
	}
	for _, d := range durations {
		if d.d < d.min {
			return fmt.Errorf("EDGESHELF_%s: must be at least %s, got %s", d.key, d.min, d.d)
		}
	}
	if c.DeltaEThreshold <= 0 || c.DeltaEThreshold > 100 {
		return fmt.Errorf("EDGESHELF_COLOUR_DELTAE_THRESHOLD: must be within (0, 100]")
	}
	if c.AdminListen != "" {
		if _, _, err := net.SplitHostPort(c.AdminListen); err != nil {
			return fmt.Errorf("EDGESHELF_ADMIN_LISTEN: %q is not host:port: %w", c.AdminListen, err)
		}
	}
	if c.ClientMaxInflight < 0 {
		return fmt.Errorf("EDGESHELF_CLIENT_MAX_INFLIGHT: must be ≥ 0")
	}
	if c.SignatureBytes < 16 || c.SignatureBytes > 32 {
		return fmt.Errorf("EDGESHELF_SIGNATURE_BYTES: must be within 16..32")
	}
	if c.MaxHeaderBytes < 1024 {
		return fmt.Errorf("EDGESHELF_MAX_HEADER_BYTES: must be at least 1KiB")
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("EDGESHELF_MAX_BODY_BYTES: must be at least 1KiB")
	}
	return nil
}
