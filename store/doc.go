// Package store owns the Blob interface: the one seam through which edgeshelf
// reads originals, catalog, rules and inventory, and writes rendered results.
//
// Implementations live in sub-packages (fs for a local directory, s3 for any
// S3-compatible service) and must pass the shared conformance suite in
// storetest. Keys are slash-separated relative paths; every implementation
// validates them with ValidateKey before touching its backend.
package store
