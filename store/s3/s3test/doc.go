// Package s3test runs a real S3 server (versitygw on a temporary directory)
// for tests, so the s3 store and everything built on it are tested against
// the protocol rather than a mock of it. It is the one versitygw launcher:
// tests use Start, and programs without a testing.TB (the bench harness and
// the soak) use Launch.
//
// The versitygw binary comes from $VERSITYGW_BIN or, failing that,
// bin/versitygw in the module root (`make tools` installs it there). Without
// it tests are skipped, or fail saying why when $CI is set, so CI cannot go
// green by testing nothing; VERSITYGW_BIN=/nonexistent makes it unavailable
// on purpose.
package s3test
