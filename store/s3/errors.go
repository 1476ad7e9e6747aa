package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"

	"github.com/edgeshelf/edgeshelf/store"
)

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
