package policy

import "math/bits"

// sketch is TinyLFU's popularity estimate: a count-min sketch of 4-bit
// counters (depth 4, conservative update) in front of a doorkeeper Bloom
// filter. The doorkeeper absorbs the first access of every key, so the
// one-hit wonders that dominate a crawler's scan never reach the counters.
// After sampleSize increments every counter is halved and the doorkeeper
// cleared, so the estimate follows a shifting popularity (aging).
type sketch struct {
	counters   []uint64 // 16 four-bit counters per word, rows interleaved by hash
	door       []uint64 // doorkeeper bits
	mask       uint64   // counter index mask (counters per row - 1)
	doorMask   uint64
	additions  int
	sampleSize int
}

const sketchDepth = 4

// newSketch sizes the sketch for about capacity distinct keys.
func newSketch(capacity int) *sketch {
	width := uint64(1) << bits.Len64(uint64(max(capacity, 16)-1)) // next power of two
	return &sketch{
		counters:   make([]uint64, width*sketchDepth/16),
		door:       make([]uint64, max(width/8, 1)), // 8 bits a key
		mask:       width - 1,
		doorMask:   width*8 - 1,
		sampleSize: int(width) * 10,
	}
}

// capacity is the number of distinct keys the sketch was sized for.
func (s *sketch) capacity() int { return int(s.mask + 1) }

// slot returns the word and shift of row i's counter for hash h. Double
// hashing (h1 + i*h2) gives four nearly independent rows from one hash.
func (s *sketch) slot(h uint64, i int) (int, uint) {
	h1, h2 := h, (h>>32)|(h<<32)|1
	idx := (h1+uint64(i)*h2)&s.mask + uint64(i)*(s.mask+1)
	return int(idx / 16), uint(idx%16) * 4
}

func (s *sketch) doorBits(h uint64) (uint64, uint64) {
	return h & s.doorMask, (h >> 29) & s.doorMask
}

func (s *sketch) inDoor(h uint64) bool {
	a, b := s.doorBits(h)
	return s.door[a/64]&(1<<(a%64)) != 0 && s.door[b/64]&(1<<(b%64)) != 0
}

// estimate is the approximate access count of h within the sample window.
func (s *sketch) estimate(h uint64) int {
	least := 15
	for i := range sketchDepth {
		w, sh := s.slot(h, i)
		least = min(least, int(s.counters[w]>>sh&0xf))
	}
	if s.inDoor(h) {
		least++
	}
	return least
}

// increment records one access of h.
func (s *sketch) increment(h uint64) {
	if !s.inDoor(h) {
		a, b := s.doorBits(h)
		s.door[a/64] |= 1 << (a % 64)
		s.door[b/64] |= 1 << (b % 64)
	} else {
		s.incrementCounters(h)
	}
	s.additions++
	if s.additions >= s.sampleSize {
		s.age()
	}
}

// incrementCounters raises only the smallest of the row counters
// (conservative update), which keeps hot collisions from inflating cold keys.
func (s *sketch) incrementCounters(h uint64) {
	least := 15
	var ws [sketchDepth]int
	var shs [sketchDepth]uint
	for i := range sketchDepth {
		ws[i], shs[i] = s.slot(h, i)
		least = min(least, int(s.counters[ws[i]]>>shs[i]&0xf))
	}
	if least == 15 {
		return
	}
	for i := range sketchDepth {
		if int(s.counters[ws[i]]>>shs[i]&0xf) == least {
			s.counters[ws[i]] += 1 << shs[i]
		}
	}
}

// age halves every counter and clears the doorkeeper.
func (s *sketch) age() {
	for i, w := range s.counters {
		s.counters[i] = (w >> 1) & 0x7777777777777777
	}
	clear(s.door)
	s.additions /= 2
}
