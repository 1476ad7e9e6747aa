package s3

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // S3's ETag scheme, checked for consistency, not security
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/edgeshelf/edgeshelf/store"
)

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
