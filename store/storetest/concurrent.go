package storetest

import (
	"bytes"
	"sync"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

// testConcurrentOverwrite has writers replace one key with payloads of
// different sizes while readers Get it. Every Get must return exactly one of
// the payloads with the ETag a Put of that payload returned.
func testConcurrentOverwrite(t *testing.T, s store.Blob) {
	const (
		key      = "results/hot"
		writers  = 4
		readers  = 4
		putsEach = 25
	)
	payloads := make([][]byte, writers)
	for i := range payloads {
		p := randomBytes(t, 16<<10+i*1021)
		p[0] = byte(i) // identifies the payload
		payloads[i] = p
	}
	first := mustPut(t, s, key, payloads[0])
	o := &overwrites{s: s, key: key, payloads: payloads, putETags: map[int]map[string]bool{0: {first.ETag: true}}}
	var wg, readWG sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Go(func() { o.write(t, w, putsEach) })
	}
	for range readers {
		readWG.Go(func() { o.read(t, done) })
	}
	wg.Wait()
	close(done)
	readWG.Wait()
	o.check(t)
}

// overwrites records what testConcurrentOverwrite's writers put and its
// readers got; mu guards putETags and seen.
type overwrites struct {
	s        store.Blob
	key      string
	payloads [][]byte // payload i starts with byte i

	mu       sync.Mutex
	putETags map[int]map[string]bool // payload → ETags its Puts returned
	seen     []seenPayload
}

type seenPayload struct {
	idx  int
	etag string
}

// write puts payload w n times, recording the ETags.
func (o *overwrites) write(t *testing.T, w, n int) {
	for range n {
		info, err := o.s.Put(t.Context(), o.key, o.payloads[w], store.PutOptions{})
		if err != nil {
			t.Errorf("Put: %v", err)
			return
		}
		o.mu.Lock()
		if o.putETags[w] == nil {
			o.putETags[w] = map[string]bool{}
		}
		o.putETags[w][info.ETag] = true
		o.mu.Unlock()
	}
}

// read gets the key until done is closed (at least once), recording which
// complete payload came back with which ETag.
func (o *overwrites) read(t *testing.T, done <-chan struct{}) {
	for n := 0; ; n++ {
		select {
		case <-done:
			if n > 0 {
				return
			}
		default:
		}
		obj, err := o.s.Get(t.Context(), o.key, store.GetOptions{})
		if err != nil {
			t.Errorf("Get during overwrites: %v", err)
			return
		}
		idx := -1
		if len(obj.Data) > 0 && int(obj.Data[0]) < len(o.payloads) && bytes.Equal(obj.Data, o.payloads[obj.Data[0]]) {
			idx = int(obj.Data[0])
		}
		if idx < 0 || obj.Size != int64(len(obj.Data)) {
			t.Errorf("Get returned %d bytes (Size %d) matching no complete payload", len(obj.Data), obj.Size)
			return
		}
		o.mu.Lock()
		o.seen = append(o.seen, seenPayload{idx, obj.ETag})
		o.mu.Unlock()
	}
}

// check runs once readers and writers are done: every payload read came
// with an ETag a Put of it returned, and no two payloads share an ETag.
func (o *overwrites) check(t *testing.T) {
	for _, g := range o.seen {
		if !o.putETags[g.idx][g.etag] {
			t.Errorf("Get returned payload %d with ETag %s; Puts of it returned %v", g.idx, g.etag, o.putETags[g.idx])
		}
	}
	writers := len(o.payloads)
	for i := range writers {
		for j := i + 1; j < writers; j++ {
			for e := range o.putETags[i] {
				if o.putETags[j][e] {
					t.Errorf("payloads %d and %d share the ETag %s", i, j, e)
				}
			}
		}
	}
	if len(o.seen) == 0 {
		t.Error("readers saw nothing")
	}
}
