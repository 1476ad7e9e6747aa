// Package storetest is the conformance suite every store.Blob implementation
// runs from its own tests, so fs and S3 cannot drift apart in the behaviour
// the cache, catalog and routing packages rely on.
package storetest
