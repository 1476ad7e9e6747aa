// Package cache owns the variant cache: the Tier interface, the in-process
// memory tier (golang-lru, bounded in bytes), the blob tier that keeps
// results in the store (L2), and Tiered, the read-through chain that renders
// each missing key once however many requests ask for it at the same time.
package cache
