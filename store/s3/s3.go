package s3

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/edgeshelf/edgeshelf/store"
)

var _ store.Blob = (*Store)(nil)

// Store keeps each key as the object prefix+key in one bucket.
type Store struct {
	client  *awss3.Client
	bucket  string
	prefix  string // "" or ending in "/"
	timeout time.Duration

	// etagsNotMD5 is set once the service is seen to use ETags that are
	// not content MD5s, which turns off Get's ETag check.
	etagsNotMD5 atomic.Bool
}

// New builds a Store on bucket, keeping keys below prefix. It does not
// contact S3, so a replica can start during an outage; use Ping for
// readiness.
func New(ctx context.Context, bucket, prefix string, cfg Config) (*Store, error) {
	if err := validateBucket(bucket); err != nil {
		return nil, err
	}
	prefix, err := normalisePrefix(prefix)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	opts := []func(*config.LoadOptions) error{
		config.WithRegion(cfg.Region),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = cfg.MaxAttempts })
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithTransportOptions(func(t *http.Transport) {
				// Concurrent cache misses all go to one host; the SDK's
				// default of 10 idle connections per host would make most
				// of them dial anew.
				t.MaxIdleConnsPerHost = 128
			}).
			WithDialerOptions(func(d *net.Dialer) {
				// A black-holed endpoint must fail within one request's
				// budget, not the SDK's 30 s connect timeout.
				d.Timeout = cfg.Timeout
			})),
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store: load AWS config: %w", err)
	}
	client := awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// Streaming-checksum uploads (aws-chunked with trailers) are
			// the part of the protocol S3-compatible services most often
			// get wrong; send checksums only where S3 demands them.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
		o.UsePathStyle = cfg.PathStyle
		// Objects written without a checksum (by other tools, or by us on
		// other endpoints) would log a warning on every Get.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &Store{client: client, bucket: bucket, prefix: prefix, timeout: cfg.Timeout}, nil
}

// Bucket is the bucket the store lives in.
func (s *Store) Bucket() string { return s.bucket }

// Prefix is the normalised key prefix ("" or ending in "/").
func (s *Store) Prefix() string { return s.prefix }

// check validates a key before any request is made.
func (s *Store) check(ctx context.Context, op, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return err
	}
	if len(s.prefix)+len(key) > store.MaxKeyLen {
		return &store.KeyError{Key: key[:min(len(key), 32)] + "…", Reason: "longer than 1024 bytes with the store prefix"}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3 store: %s %q: %w", op, key, err)
	}
	return nil
}

func (s *Store) location(key string) string {
	return "s3://" + s.bucket + "/" + s.prefix + key
}
