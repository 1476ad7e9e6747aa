// Package cache owns the variant cache: the Tier interface, the in-process
// memory tier (golang-lru, bounded in bytes), the blob tier that keeps
// results in the store (L2, each read bounded in bytes), and Tiered, the
// read-through chain that renders each missing key once however many
// requests ask for it at the same time. TieredConfig names which tier is
// L1 and which is L2, so nothing finds a tier by its name or type.
package cache
