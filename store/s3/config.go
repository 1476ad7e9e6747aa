package s3

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRegion      = "us-east-1"
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAttempts = 3
)

// Config holds the connection settings shared by every bucket and prefix.
type Config struct {
	Endpoint        string        `env:"S3_ENDPOINT" envDefault:"" help:"S3 endpoint URL for S3-compatible services (e.g. http://minio:9000); empty means AWS"`
	Region          string        `env:"S3_REGION" envDefault:"us-east-1" help:"S3 region of the bucket"`
	PathStyle       bool          `env:"S3_PATH_STYLE" envDefault:"false" help:"address buckets as endpoint/bucket instead of bucket.endpoint (most S3-compatible services need this)"`
	AccessKeyID     string        `env:"S3_ACCESS_KEY_ID" envDefault:"" help:"S3 access key; empty uses the standard AWS credential chain"`
	SecretAccessKey string        `env:"S3_SECRET_ACCESS_KEY" envDefault:"" help:"S3 secret key, set together with the access key"`
	Timeout         time.Duration `env:"S3_TIMEOUT" envDefault:"10s" help:"time limit of one S3 request, retries included"`
	MaxAttempts     int           `env:"S3_RETRIES" envDefault:"3" help:"attempts per S3 request, the first included (SDK standard retryer); 1 disables retries"`
}

// maxAttemptsLimit keeps a typo from turning an outage into minutes of
// retries per request.
const maxAttemptsLimit = 10

// Validate reports settings New would reject. Zero Region, Timeout and
// MaxAttempts are valid and mean the defaults.
func (c Config) Validate() error {
	var errs []error
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("EDGESHELF_S3_ENDPOINT: %w", err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("EDGESHELF_S3_ENDPOINT: %q: scheme must be http or https", c.Endpoint))
		case u.Host == "":
			errs = append(errs, fmt.Errorf("EDGESHELF_S3_ENDPOINT: %q: no host", c.Endpoint))
		case u.User != nil || u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, fmt.Errorf("EDGESHELF_S3_ENDPOINT: %q: credentials, query or fragment not allowed", c.Endpoint))
		}
	}
	if strings.TrimSpace(c.Region) != c.Region {
		errs = append(errs, fmt.Errorf("EDGESHELF_S3_REGION: %q: surrounding spaces", c.Region))
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		errs = append(errs, errors.New("EDGESHELF_S3_ACCESS_KEY_ID and EDGESHELF_S3_SECRET_ACCESS_KEY must be set together"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("EDGESHELF_S3_TIMEOUT: %s: negative", c.Timeout))
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > maxAttemptsLimit {
		errs = append(errs, fmt.Errorf("EDGESHELF_S3_RETRIES: %d: must be between 1 and %d (0 for the default)", c.MaxAttempts, maxAttemptsLimit))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	return c
}

// LogValue keeps the secret key out of logs when the config is logged at
// start-up.
func (c Config) LogValue() slog.Value {
	secret := ""
	if c.SecretAccessKey != "" {
		secret = "REDACTED"
	}
	return slog.GroupValue(
		slog.String("endpoint", c.Endpoint),
		slog.String("region", c.Region),
		slog.Bool("path_style", c.PathStyle),
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("secret_access_key", secret),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_attempts", c.MaxAttempts),
	)
}
