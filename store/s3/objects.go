package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/edgeshelf/edgeshelf/store"
)

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
