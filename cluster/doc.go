// Package cluster lets the origin replicas of a region share render work:
// each variant key has one owner among the live replicas (rendezvous
// hashing over the membership), and a replica that misses a key it does not
// own asks the owner on the authenticated peer port instead of rendering it
// again. Membership comes from a static list or a Kubernetes headless
// Service resolved by DNS; a peer that fails is suspected for a cool-down,
// and its keys fall to the next owner, or the asker itself.
package cluster
