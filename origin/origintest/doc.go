// Package origintest starts a real origin in-process on a loopback port for
// tests and benchmarks: real libvips, a real store, real cache tiers.
package origintest
