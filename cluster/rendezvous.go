package cluster

import "hash/fnv"

// Owner is the member with the highest rendezvous (HRW) score for key, ""
// for no members. Every replica computes the same owner from the same
// member list, and removing or adding a member moves only the keys it wins
// or won: about 1/N of them.
func Owner(key string, members []string) string {
	var best string
	var bestScore uint64
	for _, m := range members {
		if s := score(m, key); best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

// score hashes a member and a key together. FNV-1a alone correlates for
// inputs that differ in a few bytes (IPs of one subnet), so its result is
// finished with splitmix64's mixer.
func score(member, key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(member))
	h.Write([]byte{0})
	h.Write([]byte(key))
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
