package s3

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // S3's ETag scheme, checked for consistency, not security
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/edgeshelf/edgeshelf/store"
)

var _ store.Blob = (*Store)(nil)

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

// ParseURL splits a store root of the form s3://bucket/prefix. The prefix is
// optional; when present it is returned with one trailing slash.
func ParseURL(u string) (bucket, prefix string, err error) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", "", fmt.Errorf("s3 url: %w", err)
	}
	if pu.Scheme != "s3" {
		return "", "", fmt.Errorf("s3 url %q: scheme must be s3://", u)
	}
	if pu.Opaque != "" || pu.User != nil || pu.RawQuery != "" || pu.ForceQuery || pu.Fragment != "" {
		return "", "", fmt.Errorf("s3 url %q: want s3://bucket/prefix, without credentials, query or fragment", u)
	}
	if err := validateBucket(pu.Host); err != nil {
		return "", "", err
	}
	prefix, err = normalisePrefix(strings.TrimPrefix(pu.Path, "/"))
	if err != nil {
		return "", "", err
	}
	return pu.Host, prefix, nil
}

func normalisePrefix(prefix string) (string, error) {
	if prefix == "" {
		return "", nil
	}
	if err := store.ValidatePrefix(prefix); err != nil {
		return "", fmt.Errorf("s3 prefix: %w", err)
	}
	return strings.TrimSuffix(prefix, "/") + "/", nil
}

// validateBucket applies S3's general-purpose bucket naming rules, so a typo
// in a URL fails at start-up rather than as a confusing signature or DNS
// error on the first request.
func validateBucket(b string) error {
	bad := func(why string) error { return fmt.Errorf("s3 bucket name %q: %s", b, why) }
	if len(b) < 3 || len(b) > 63 {
		return bad("must be 3 to 63 characters")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return bad("only lower-case letters, digits, dots and hyphens are allowed")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	if strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-.") {
		return bad("dots must not be adjacent to dots or hyphens")
	}
	if ip := net.ParseIP(b); ip != nil {
		return bad("must not look like an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(b, p) {
			return bad("reserved prefix " + p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(b, s) {
			return bad("reserved suffix " + s)
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

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

// mapErr turns an SDK error into the store's sentinel errors. ctx is the
// caller's context and opCtx the one with the per-request timeout: the caller
// giving up is neither a missing object nor an outage, our own deadline
// running out is an outage.
func (s *Store) mapErr(ctx, opCtx context.Context, op, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("s3 store: %s %s: %w", op, s.location(key), err)
		}
		return fmt.Errorf("s3 store: %s %s: %w: %w", op, s.location(key), cerr, err)
	}
	if opCtx.Err() != nil {
		return fmt.Errorf("%w: s3 %s %s: no answer within %s: %w", store.ErrUnavailable, op, s.location(key), s.timeout, err)
	}
	status, code := 0, ""
	var se interface{ HTTPStatusCode() int }
	if errors.As(err, &se) {
		status = se.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	switch {
	case code == "NoSuchBucket":
		// Not the object's absence: every key would "vanish", and a 404
		// would be cached downstream as if the object did not exist.
		return fmt.Errorf("%w: s3 %s: bucket %q does not exist: %w", store.ErrUnavailable, op, s.bucket, err)
	case status == http.StatusNotFound || code == "NoSuchKey" || code == "NotFound":
		return fmt.Errorf("%w: %s", store.ErrNotFound, s.location(key))
	case status == http.StatusNotModified || code == "NotModified" ||
		op == "get" && status == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %s", store.ErrNotModified, s.location(key))
	case status >= 500, status == http.StatusTooManyRequests, isThrottle(code):
		return fmt.Errorf("%w: s3 %s %s: %w", store.ErrUnavailable, op, s.location(key), err)
	case status < 400:
		// No response at all (refused, reset, DNS, TLS, retry quota
		// spent), or a success whose body broke off before it was read
		// whole (a reset mid-listing fails to deserialize): the link, not
		// the request, is at fault.
		return fmt.Errorf("%w: s3 %s %s: %w", store.ErrUnavailable, op, s.location(key), err)
	default:
		// Other 4xx answers (AccessDenied, SignatureDoesNotMatch, ...) are
		// configuration problems that retrying will not fix.
		return fmt.Errorf("s3 store: %s %s: %w", op, s.location(key), err)
	}
}

func isThrottle(code string) bool {
	switch code {
	case "SlowDown", "Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestTimeout", "RequestTimeoutException",
		"ServiceUnavailable", "InternalError":
		return true
	}
	return false
}

// preallocLimit caps the buffer sized from Content-Length before any byte has
// arrived, so a bogus header cannot make us allocate gigabytes up front.
const preallocLimit = 64 << 20

// getAttempts bounds the re-reads of an object whose body and ETag disagree.
const getAttempts = 3

// Get reads an object.
//
// A body must never be returned under another version's ETag: caches key
// renders by it, and an object reverted to earlier content gets that
// content's ETag back. Some services read the ETag and open the data
// separately (versitygw's posix backend reads the ETag attribute by path,
// then opens the file), so a concurrent overwrite can pair them wrongly.
// Where the ETag is the content's MD5 (single-part, not SSE-KMS or SSE-C),
// Get checks it and reads again on a mismatch.
func (s *Store) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if err := s.check(ctx, "get", key); err != nil {
		return nil, err
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var (
		first  *store.Object
		stable = true // every read so far returned first's ETag and data
	)
	for i := range getAttempts {
		obj, verifiable, err := s.getOnce(ctx, opCtx, key, opts)
		if err != nil || !verifiable || s.etagsNotMD5.Load() {
			return obj, err
		}
		sum := md5.Sum(obj.Data) //nolint:gosec // see the import
		if strings.Trim(obj.ETag, `"`) == hex.EncodeToString(sum[:]) {
			return obj, nil
		}
		if i == 0 {
			first = obj
		} else if obj.ETag != first.ETag || !bytes.Equal(obj.Data, first.Data) {
			stable = false
		}
	}
	if stable {
		// The same pair on every read is no race: this service's ETags
		// are not MD5s. Stop checking rather than read everything thrice.
		s.etagsNotMD5.Store(true)
		return first, nil
	}
	return nil, fmt.Errorf("%w: s3 get %s: body and ETag disagreed on %d reads (object rewritten meanwhile)",
		store.ErrUnavailable, s.location(key), getAttempts)
}

// getOnce is one GetObject request. verifiable reports whether the ETag
// should be the MD5 of the data.
func (s *Store) getOnce(ctx, opCtx context.Context, key string, opts store.GetOptions) (_ *store.Object, verifiable bool, _ error) {
	in := &awss3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)}
	if opts.IfNoneMatch != "" {
		in.IfNoneMatch = aws.String(opts.IfNoneMatch)
	}
	out, err := s.client.GetObject(opCtx, in)
	if err != nil {
		return nil, false, s.mapErr(ctx, opCtx, "get", key, err)
	}
	defer func() { _ = out.Body.Close() }()

	etag := aws.ToString(out.ETag)
	// Some S3-compatible services ignore If-None-Match; the contract must
	// hold regardless.
	if opts.IfNoneMatch != "" && etag == opts.IfNoneMatch {
		return nil, false, fmt.Errorf("%w: %s", store.ErrNotModified, s.location(key))
	}
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	if opts.MaxBytes > 0 && size > opts.MaxBytes {
		return nil, false, fmt.Errorf("%w: %s is %d bytes, limit %d", store.ErrTooLarge, s.location(key), size, opts.MaxBytes)
	}

	var body io.Reader = out.Body
	if opts.MaxBytes > 0 {
		// A server (or proxy) whose Content-Length lies must not make us
		// read more than the caller allowed.
		body = io.LimitReader(out.Body, opts.MaxBytes+1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), preallocLimit)))
	if _, err := buf.ReadFrom(body); err != nil {
		if ctx.Err() != nil || opCtx.Err() != nil {
			return nil, false, s.mapErr(ctx, opCtx, "get", key, err)
		}
		return nil, false, fmt.Errorf("%w: s3 get %s: reading body: %w", store.ErrUnavailable, s.location(key), err)
	}
	if opts.MaxBytes > 0 && int64(buf.Len()) > opts.MaxBytes {
		return nil, false, fmt.Errorf("%w: %s sent more than the limit %d", store.ErrTooLarge, s.location(key), opts.MaxBytes)
	}
	if size >= 0 && int64(buf.Len()) != size {
		return nil, false, fmt.Errorf("%w: s3 get %s: got %d bytes, Content-Length %d", store.ErrUnavailable, s.location(key), buf.Len(), size)
	}
	verifiable = isMD5ETag(etag) &&
		out.SSECustomerAlgorithm == nil &&
		out.ServerSideEncryption != types.ServerSideEncryptionAwsKms &&
		out.ServerSideEncryption != types.ServerSideEncryptionAwsKmsDsse
	return &store.Object{
		Info: store.Info{Key: key, Size: int64(buf.Len()), ETag: etag, Modified: aws.ToTime(out.LastModified)},
		Data: buf.Bytes(),
	}, verifiable, nil
}

// isMD5ETag reports an ETag shaped like a hex MD5; multipart ETags carry a
// "-parts" suffix and are not.
func isMD5ETag(etag string) bool {
	e := strings.Trim(etag, `"`)
	if len(e) != 2*md5.Size {
		return false
	}
	_, err := hex.DecodeString(e)
	return err == nil
}

// Stat describes an object without fetching its content.
func (s *Store) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := s.check(ctx, "stat", key); err != nil {
		return store.Info{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.client.HeadObject(opCtx, &awss3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil {
		return store.Info{}, s.mapErr(ctx, opCtx, "stat", key, err)
	}
	return store.Info{
		Key:      key,
		Size:     aws.ToInt64(out.ContentLength),
		ETag:     aws.ToString(out.ETag),
		Modified: aws.ToTime(out.LastModified),
	}, nil
}

// Put writes an object. S3 replaces objects atomically, which is the
// store's atomicity invariant.
func (s *Store) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	if err := s.check(ctx, "put", key); err != nil {
		return store.Info{}, err
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	in := &awss3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.prefix + key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	if opts.ContentType != "" {
		in.ContentType = aws.String(opts.ContentType)
	}
	out, err := s.client.PutObject(opCtx, in)
	if err != nil {
		return store.Info{}, s.mapErr(ctx, opCtx, "put", key, err)
	}
	info := store.Info{Key: key, Size: int64(len(data)), ETag: aws.ToString(out.ETag)}
	// PutObject returns no Last-Modified; the server's Date is the same
	// clock, to the second.
	if t, ok := awsmiddleware.GetServerTime(out.ResultMetadata); ok {
		info.Modified = t
	} else {
		info.Modified = time.Now()
	}
	if info.ETag == "" {
		// Rare services omit it from PUT responses. A concurrent writer may
		// win between the two requests; the ETag is then the newer
		// object's, which only costs the caller one extra fetch.
		st, err := s.Stat(ctx, key)
		if err != nil {
			return store.Info{}, err
		}
		info.ETag = st.ETag
	}
	return info, nil
}

// Delete removes an object; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, "delete", key); err != nil {
		return err
	}
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.client.DeleteObject(opCtx, &awss3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil {
		if err = s.mapErr(ctx, opCtx, "delete", key, err); errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	return nil
}

// List returns every object whose key starts with prefix, in key order. The
// timeout applies to each page, not to the whole listing: a large prefix may
// legitimately take longer, and the caller's context still bounds it.
func (s *Store) List(ctx context.Context, prefix string) ([]store.Info, error) {
	if err := store.ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3 store: list %q: %w", prefix, err)
	}
	pages := awss3.NewListObjectsV2Paginator(s.client, &awss3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	})
	var out []store.Info
	for pages.HasMorePages() {
		opCtx, cancel := context.WithTimeout(ctx, s.timeout)
		page, err := pages.NextPage(opCtx)
		if err != nil {
			err = s.mapErr(ctx, opCtx, "list", prefix, err)
			cancel()
			return nil, err
		}
		cancel()
		for _, o := range page.Contents {
			key, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			// Folder markers ("dir/") written by consoles and sync tools,
			// and names no store key can have, are not objects of ours.
			if !ok || store.ValidateKey(key) != nil {
				continue
			}
			out = append(out, store.Info{
				Key:      key,
				Size:     aws.ToInt64(o.Size),
				ETag:     aws.ToString(o.ETag),
				Modified: aws.ToTime(o.LastModified),
			})
		}
	}
	// S3 lists in UTF-8 byte order already; not every compatible service does.
	slices.SortFunc(out, func(a, b store.Info) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Ping checks that the bucket is reachable with our credentials. It lists at
// most one key below the prefix, which needs no more permission than List
// and works with policies scoped to the prefix.
func (s *Store) Ping(ctx context.Context) error {
	opCtx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.client.ListObjectsV2(opCtx, &awss3.ListObjectsV2Input{
		Bucket:  aws.String(s.bucket),
		Prefix:  aws.String(s.prefix),
		MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return s.mapErr(ctx, opCtx, "ping", "", err)
	}
	return nil
}
