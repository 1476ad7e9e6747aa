package cache

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/edgeshelf/edgeshelf/store"
)

var _ Tier = (*Blob)(nil)

// ResultsPrefix is where the blob tier keeps results in the store.
const ResultsPrefix = "results/"

// Blob is the L2 tier: results kept in the store (S3 in production), shared
// by every replica and surviving restarts.
//
// Object layout: the 4-byte magic "ESR1", a big-endian uint32 header length,
// the JSON-encoded Entry header, then the variant bytes.
type Blob struct {
	store    store.Blob
	maxBytes int64
}

// NewBlob makes a blob tier over a store. Objects larger than maxBytes are
// treated as corrupt (0: no limit).
func NewBlob(s store.Blob, maxBytes int64) *Blob { return &Blob{store: s, maxBytes: maxBytes} }

// Name is "l2".
func (b *Blob) Name() string { return "l2" }

var magic = []byte("ESR1")

// Get reads a result; a missing or unreadable object is a miss (it is
// re-rendered and overwritten), while a store outage is an error.
func (b *Blob) Get(ctx context.Context, key string) (*Entry, error) {
	obj, err := b.store.Get(ctx, ResultsPrefix+key, store.GetOptions{MaxBytes: b.maxBytes})
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTooLarge):
		return nil, ErrMiss
	case err != nil:
		return nil, err
	}
	e, err := decodeEntry(obj.Data)
	if err != nil {
		return nil, ErrMiss
	}
	return e, nil
}

// Set writes a result.
func (b *Blob) Set(ctx context.Context, key string, e *Entry) error {
	_, err := b.store.Put(ctx, ResultsPrefix+key, encodeEntry(e), store.PutOptions{ContentType: "application/octet-stream"})
	return err
}

// Purge deletes every stored result of a SKU.
func (b *Blob) Purge(ctx context.Context, sku string) (int, error) {
	list, err := b.store.List(ctx, ResultsPrefix+sku+"/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range list {
		if err := b.store.Delete(ctx, o.Key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func encodeEntry(e *Entry) []byte {
	hdr, _ := json.Marshal(e) // Entry has only plain fields: cannot fail
	var buf bytes.Buffer
	buf.Grow(8 + len(hdr) + len(e.Data))
	buf.Write(magic)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(hdr)))
	buf.Write(hdr)
	buf.Write(e.Data)
	return buf.Bytes()
}

func decodeEntry(b []byte) (*Entry, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], magic) {
		return nil, fmt.Errorf("cache: not a result object")
	}
	n := binary.BigEndian.Uint32(b[4:8])
	if uint64(n) > uint64(len(b)-8) {
		return nil, fmt.Errorf("cache: truncated result header")
	}
	var e Entry
	if err := json.Unmarshal(b[8:8+n], &e); err != nil {
		return nil, fmt.Errorf("cache: result header: %w", err)
	}
	e.Data = b[8+n:]
	return &e, nil
}
