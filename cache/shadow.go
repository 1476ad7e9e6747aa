package cache

import (
	"encoding/binary"
	"math/bits"
	"sync"

	"github.com/edgeshelf/edgeshelf/cache/policy"
)

// shadowScales are the budgets the shadow simulates, as multiples of the
// real one. "1x" is the calibration: it should track the real hit ratio,
// and how far it is off says how far to trust the other two.
var shadowScales = []struct {
	label    string
	num, den int64
}{{"0.5x", 1, 2}, {"1x", 1, 1}, {"2x", 2, 1}}

const (
	// shadowSampleBytes: the sample rate is chosen so each simulated
	// budget stays at least this large after scaling (SHARDS, Waldspurger
	// et al.), enough for many of the largest variants; small budgets are
	// simulated unsampled. The default 512 MiB samples 1 key in 64, which
	// keeps the shadow's share of a hit under 2 ns on average.
	shadowSampleBytes = 8 << 20
	maxShadowShift    = 7 // sample at least 1 key in 128
	// shadowHalfLife: the counters are halved after this many sampled
	// requests, so the estimates follow recent traffic.
	shadowHalfLife = 1 << 14
	// maxPending bounds the misses waiting for their Set to learn a size.
	maxPending = 4096
)

// ShadowEstimate is the hit ratio the L1 policy would reach at another
// budget, estimated from a spatial sample of live traffic.
type ShadowEstimate struct {
	Budget       string  `json:"budget"` // "0.5x", "1x", "2x"
	BudgetBytes  int64   `json:"budget_bytes"`
	HitRatio     float64 `json:"hit_ratio"`
	ByteHitRatio float64 `json:"byte_hit_ratio"`
	Requests     float64 `json:"requests"` // sampled requests behind the estimate (decayed)
}

// shadow runs the L1 policy over metadata only (key hash and size) for the
// keys whose hash falls in a 1/2^shift sample, at scaled budgets. Sampling
// by key keeps every request of a sampled key, so its reuse is seen whole.
//
// A sample that happens to catch more (or fewer) of the few hottest keys
// than its share sees more (fewer) requests than 1/2^shift of all, and
// those extra requests are nearly all hits: SHARDS-adj corrects for it by
// counting the difference from the expected number as hits.
type shadow struct {
	shift   uint
	total   func() uint64 // every request of the real tier so far
	mu      sync.Mutex
	ghosts  []*ghostCache
	pending map[uint64]uint8 // key hash -> ghosts that missed it, awaiting its size
	counted int              // sampled requests since the last halving
	// expected is the decayed number of sampled requests a perfectly even
	// sample would have seen, up to seenTotal requests of the real tier.
	expected  float64
	seenTotal uint64
}

type ghostCache struct {
	label                              string
	budget                             int64 // the real budget it stands for
	policy                             policy.Cache[int64]
	hits, requests, hitBytes, reqBytes float64
}

func newShadow(policyName string, budget int64, total func() uint64) (*shadow, error) {
	shift := uint(0)
	if budget > shadowSampleBytes {
		shift = uint(min(bits.Len64(uint64(budget/shadowSampleBytes))-1, maxShadowShift))
	}
	s := &shadow{shift: shift, total: total, pending: make(map[uint64]uint8)}
	for _, sc := range shadowScales {
		scaled := budget * sc.num / sc.den
		p, err := policy.ByName[int64](policyName, scaled>>shift)
		if err != nil {
			return nil, err
		}
		s.ghosts = append(s.ghosts, &ghostCache{label: sc.label, budget: scaled, policy: p})
	}
	return s, nil
}

// sampled says whether key hash h is in the sample. It reads the top bits,
// while the shards use the bottom ones, so every shard is sampled alike.
func (s *shadow) sampled(h uint64) bool {
	return s.shift == 0 || h>>(64-s.shift) == 0
}

func ghostKey(h uint64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], h)
	return string(b[:])
}

// get replays a lookup of a sampled key in each ghost. size is the entry's
// size when the real tier hit, -1 when it missed: a ghost that also missed
// then waits for the Set that follows to learn the size.
func (s *shadow) get(h uint64, size int64) {
	key := ghostKey(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	var waiting uint8
	for i, g := range s.ghosts {
		g.requests++
		if held, hit := g.policy.Get(key); hit {
			g.hits++
			g.hitBytes += float64(held)
			g.reqBytes += float64(held)
			continue
		}
		if size < 0 {
			waiting |= 1 << i
			continue
		}
		g.reqBytes += float64(size)
		g.policy.Set(key, size, size)
	}
	if waiting != 0 {
		if len(s.pending) >= maxPending {
			clear(s.pending) // a lost size only drops a few bytes from the estimate
		}
		s.pending[h] = waiting
	}
	if s.counted++; s.counted >= shadowHalfLife {
		s.halve()
	}
}

// set completes the misses a sampled key left waiting.
func (s *shadow) set(h uint64, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	waiting, ok := s.pending[h]
	if !ok {
		return
	}
	delete(s.pending, h)
	key := ghostKey(h)
	for i, g := range s.ghosts {
		if waiting&(1<<i) != 0 {
			g.reqBytes += float64(size)
			g.policy.Set(key, size, size)
		}
	}
}

// catchUp adds the requests the real tier served since the last call to
// the expected sample count.
func (s *shadow) catchUp() {
	now := s.total()
	s.expected += float64(now-s.seenTotal) / float64(uint64(1)<<s.shift)
	s.seenTotal = now
}

func (s *shadow) halve() {
	s.catchUp()
	s.expected /= 2
	for _, g := range s.ghosts {
		g.hits, g.requests, g.hitBytes, g.reqBytes = g.hits/2, g.requests/2, g.hitBytes/2, g.reqBytes/2
	}
	s.counted = 0
}

// estimates reads every ghost's ratios, corrected for the sample's bias
// (see shadow); 0 before any sampled request.
func (s *shadow) estimates() []ShadowEstimate {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catchUp()
	out := make([]ShadowEstimate, len(s.ghosts))
	for i, g := range s.ghosts {
		out[i] = ShadowEstimate{Budget: g.label, BudgetBytes: g.budget, Requests: g.requests}
		if g.requests == 0 || s.expected <= 0 {
			continue
		}
		surplus := s.expected - g.requests // requests of hot keys the sample missed (or caught too many of)
		out[i].HitRatio = clamp01((g.hits + surplus) / s.expected)
		if g.hits > 0 && g.reqBytes > 0 {
			perHit := g.hitBytes / g.hits
			out[i].ByteHitRatio = clamp01((g.hitBytes + surplus*perHit) / (g.reqBytes + surplus*perHit))
		}
	}
	return out
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }
