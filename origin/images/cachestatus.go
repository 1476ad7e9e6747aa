package images

import (
	"strings"

	"github.com/edgeshelf/edgeshelf/cache"
)

// Cache-Status (RFC 9211) names what each of the origin's tiers did with a
// request, next to Server-Timing's tier: a CDN engineer reading a trace
// sees the origin's caches in the same header as the CDN's own.
const (
	statusL1 = "edgeshelf-l1"
	statusL2 = "edgeshelf-l2"
	// statusPeer is the replica that owns the key (the cluster's peer
	// fill): it answered from its own tiers or render.
	statusPeer = "edgeshelf-peer"
)

// tierSet is which tiers the origin runs; fixed at start-up.
type tierSet struct{ l1, l2 bool }

// tiersOf reads the tiers a cache runs from its stats, the one place that
// names them without reaching into the cache.
func tiersOf(c *cache.Tiered) tierSet {
	var ts tierSet
	for _, t := range c.Stats(0).Tiers {
		switch cache.Source(t.Name) {
		case cache.FromL1:
			ts.l1 = true
		case cache.FromL2:
			ts.l2 = true
		}
	}
	return ts
}

// cacheStatus is the Cache-Status of a response served from src. Members
// are ordered nearest the origin first (L2, then L1), as RFC 9211 asks; a
// tier that did not see the request (L2 on an L1 hit) or does not run is
// left out. A tier that missed says why it forwarded:
//
//   - uri-miss when its key follows from the URL alone (explicit formats):
//     no other response for this URL can be in it;
//   - miss for .auto: the tier may hold this URL's variant for another
//     Accept or hint, and only the one asked for was looked up.
//
// stored marks a fill: L1 is written before the response leaves, L2 in
// the background (a failed L2 write is logged and counted, and the next
// request finds the miss). No ttl: entries stay until evicted or purged,
// and Cache-Control already gives the freshness downstream caches use.
func cacheStatus(ts tierSet, src cache.Source, negotiated bool) string {
	if src == cache.FromL1 { // the hot path: one constant
		return statusL1 + "; hit"
	}
	fwd := "; fwd=uri-miss; stored"
	if negotiated {
		fwd = "; fwd=miss; stored"
	}
	var members []string
	switch src {
	case cache.FromL1:
		members = append(members, statusL1+"; hit")
	case cache.FromL2:
		members = append(members, statusL2+"; hit")
		if ts.l1 {
			members = append(members, statusL1+fwd)
		}
	case cache.FromPeer:
		// The owner's answer is not stored here (one copy per region), so
		// L1 forwarded without storing.
		members = append(members, statusPeer+"; hit")
		if ts.l1 {
			members = append(members, statusL1+strings.TrimSuffix(fwd, "; stored"))
		}
	case cache.FromRender:
		if ts.l2 {
			members = append(members, statusL2+fwd)
		}
		if ts.l1 {
			members = append(members, statusL1+fwd)
		}
	}
	return strings.Join(members, ", ")
}
