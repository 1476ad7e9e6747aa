// Package s3 is the store.Blob implementation on S3 and S3-compatible
// services (MinIO, Ceph RGW, versitygw, R2, ...), the store replicas share in
// production.
//
// It owns the mapping of S3 semantics onto the store contract: keys live at
// prefix+key in one bucket, ETags are S3's own, S3 errors become the store's
// sentinel errors, and every request runs under the caller's context plus a
// per-request timeout so an unreachable endpoint turns into
// store.ErrUnavailable instead of a hung request.
//
// The credentials need s3:ListBucket on the bucket as well as object access:
// without it S3 answers a missing key with 403 instead of 404, which this
// package cannot tell from a real permission problem and so does not report
// as store.ErrNotFound.
package s3
