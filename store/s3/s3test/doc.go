// Package s3test runs a real S3 server (versitygw on a temporary directory)
// for tests, so the s3 store and everything built on it are tested against
// the protocol rather than a mock of it.
//
// The versitygw binary comes from $VERSITYGW_BIN or, failing that,
// bin/versitygw in the module root (`make tools` installs it there). Without
// it tests are skipped, or fail when $CI is set so CI cannot go green by
// testing nothing.
package s3test
