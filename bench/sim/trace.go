package sim

// Request is one cache access: an access is a Get, and a miss is followed
// by a Set of Size bytes.
type Request struct {
	Time int64  // unix nanoseconds (generated traces: since the trace start)
	Key  string // the cache key; generated traces use VariantKey
	Size int64  // what the object costs a budget (cache.Entry.Size())
}

// Trace is a named request sequence.
type Trace struct {
	Name string
	Reqs []Request
}

// WorkingSetBytes is the sum of the sizes of the distinct keys (each at
// its first size): the bytes a cache needs to miss only once per key.
// Budgets are given as fractions of it.
func (t *Trace) WorkingSetBytes() int64 {
	seen := make(map[string]struct{}, len(t.Reqs)/4)
	var n int64
	for _, r := range t.Reqs {
		if _, ok := seen[r.Key]; ok {
			continue
		}
		seen[r.Key] = struct{}{}
		n += r.Size
	}
	return n
}

// Keys is the number of distinct keys.
func (t *Trace) Keys() int {
	seen := make(map[string]struct{}, len(t.Reqs)/4)
	for _, r := range t.Reqs {
		seen[r.Key] = struct{}{}
	}
	return len(seen)
}

// interned is a trace with keys numbered 0..n-1 in order of first use,
// which the offline references index arrays with.
type interned struct {
	ids   []int32
	sizes []int64
	nkeys int
}

func intern(reqs []Request) interned {
	m := make(map[string]int32, len(reqs)/4)
	out := interned{ids: make([]int32, len(reqs)), sizes: make([]int64, len(reqs))}
	for i, r := range reqs {
		id, ok := m[r.Key]
		if !ok {
			id = int32(len(m))
			m[r.Key] = id
		}
		out.ids[i], out.sizes[i] = id, r.Size
	}
	out.nkeys = len(m)
	return out
}

// never is the next use of a request whose key is not requested again.
const never = int(^uint(0) >> 1)

// nextUses gives, for each request, the index of the next request for the
// same key (never when there is none).
func (in interned) nextUses() []int {
	next := make([]int, len(in.ids))
	last := make([]int, in.nkeys)
	for i := range last {
		last[i] = never
	}
	for i := len(in.ids) - 1; i >= 0; i-- {
		id := in.ids[i]
		next[i] = last[id]
		last[id] = i
	}
	return next
}
