// Package cache owns the variant cache: the Tier interface, the in-process
// memory tier (L1, bounded in bytes), the blob tier that keeps results in
// the store (L2, each read bounded in bytes), and Tiered, the read-through
// chain that renders each missing key once however many requests ask for it
// at the same time. TieredConfig names which tier is L1 and which is L2, so
// nothing finds a tier by its name or type.
//
// The memory tier (Memory) runs an eviction policy from cache/policy,
// S3-FIFO measured in bytes by default: a new variant enters a small FIFO
// and reaches the main one only if it is requested again (or was recently
// evicted, which a ghost of key hashes remembers), so a crawler's one-off
// scan passes through without displacing the popular variants. It is
// sharded by key hash (each shard its own lock, policy and budget share)
// so hits on different cores do not queue on one mutex, and each shard
// indexes its keys by SKU so a purge visits only that SKU's keys. A shadow
// (shadow.go) replays a hash sample of the traffic through the same policy
// at ½×, 1× and 2× the budget, so an operator can size L1 from live traffic.
//
// With Peers (peer.go; package cluster implements it), a miss of a key
// another replica of the region owns asks that owner between L1 and L2: one
// render per key per region, and the owner's answer is not kept in this
// L1, except the hottest keys in a small hot cache beside it.
package cache
