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

// ErrTooLarge marks an entry over a tier's size limit. A read of one is a
// miss as well (errors.Is(err, ErrMiss) holds): the variant is rendered
// again rather than read into memory.
var ErrTooLarge = errors.New("cache: entry over the tier's size limit")

// BlobConfig configures the blob tier.
type BlobConfig struct {
	Store store.Blob
	// MaxEntryBytes bounds one stored result, header included. A larger
	// object is refused by the store before its body is read, so a corrupt
	// or foreign object under results/ costs no allocation of its size; an
	// entry that would exceed it is not written, since it could never be
	// read back.
	MaxEntryBytes int64
}

// Validate checks the configuration.
func (c BlobConfig) Validate() error {
	if c.Store == nil {
		return errors.New("cache: the blob tier needs a store")
	}
	if c.MaxEntryBytes <= 0 {
		return fmt.Errorf("cache: blob tier MaxEntryBytes %d: must be > 0, an unbounded read could allocate a whole object", c.MaxEntryBytes)
	}
	return nil
}

// Blob is the L2 tier: results kept in the store (S3 in production), shared
// by every replica and surviving restarts.
//
// Object layout: the 4-byte magic "ESR1", a big-endian uint32 header length,
// the JSON-encoded Entry header, then the variant bytes.
type Blob struct {
	store    store.Blob
	maxBytes int64
}

// NewBlob makes a blob tier over a store.
func NewBlob(cfg BlobConfig) (*Blob, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Blob{store: cfg.Store, maxBytes: cfg.MaxEntryBytes}, nil
}

// Name is "l2".
func (b *Blob) Name() string { return "l2" }

// MaxEntryBytes is the configured bound on one stored result.
func (b *Blob) MaxEntryBytes() int64 { return b.maxBytes }

var magic = []byte("ESR1")

// headerPrefix is the magic and the header length before the JSON header.
const headerPrefix = 8

// Get reads a result; a missing, oversized or unreadable object is a miss
// (it is re-rendered and overwritten), while a store outage is an error.
func (b *Blob) Get(ctx context.Context, key string) (*Entry, error) {
	obj, err := b.store.Get(ctx, ResultsPrefix+key, store.GetOptions{MaxBytes: b.maxBytes})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrMiss
	case errors.Is(err, store.ErrTooLarge):
		return nil, fmt.Errorf("%w: %w: %w", ErrMiss, ErrTooLarge, err)
	case err != nil:
		return nil, err
	}
	e, err := decodeEntry(obj.Data)
	if err != nil {
		return nil, ErrMiss
	}
	return e, nil
}

// Set writes a result. An entry over MaxEntryBytes is not written and the
// error wraps ErrTooLarge.
func (b *Blob) Set(ctx context.Context, key string, e *Entry) error {
	hdr, _ := json.Marshal(e) // Entry has only plain fields: cannot fail
	if n := int64(headerPrefix + len(hdr) + len(e.Data)); n > b.maxBytes {
		return fmt.Errorf("%w: %s would be %d bytes in the store, limit %d", ErrTooLarge, key, n, b.maxBytes)
	}
	_, err := b.store.Put(ctx, ResultsPrefix+key, encodeEntry(hdr, e.Data), store.PutOptions{ContentType: "application/octet-stream"})
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

func encodeEntry(hdr, data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(headerPrefix + len(hdr) + len(data))
	buf.Write(magic)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(hdr)))
	buf.Write(hdr)
	buf.Write(data)
	return buf.Bytes()
}

func decodeEntry(b []byte) (*Entry, error) {
	if len(b) < headerPrefix || !bytes.Equal(b[:4], magic) {
		return nil, fmt.Errorf("cache: not a result object")
	}
	n := binary.BigEndian.Uint32(b[4:headerPrefix])
	if uint64(n) > uint64(len(b)-headerPrefix) {
		return nil, fmt.Errorf("cache: truncated result header")
	}
	var e Entry
	if err := json.Unmarshal(b[headerPrefix:headerPrefix+n], &e); err != nil {
		return nil, fmt.Errorf("cache: result header: %w", err)
	}
	e.Data = b[headerPrefix+n:]
	return &e, nil
}
