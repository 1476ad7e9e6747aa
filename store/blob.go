package store

import (
	"context"
	"time"
)

// Blob is a flat key/value object store with ETags.
//
// Invariants every implementation keeps (checked by storetest):
//   - Get of a missing key returns an error matching ErrNotFound.
//   - An ETag changes whenever the content changes.
//   - Get with IfNoneMatch equal to the current ETag returns ErrNotModified
//     and no data.
//   - Put is atomic: readers see the old object or the new one, never a mix.
//   - Delete of a missing key is not an error.
//   - List returns keys in lexical order.
type Blob interface {
	Get(ctx context.Context, key string, opts GetOptions) (*Object, error)
	Put(ctx context.Context, key string, data []byte, opts PutOptions) (Info, error)
	Stat(ctx context.Context, key string) (Info, error)
	List(ctx context.Context, prefix string) ([]Info, error)
	Delete(ctx context.Context, key string) error
}

// GetOptions tune a Get.
type GetOptions struct {
	// IfNoneMatch makes Get return ErrNotModified when the object's ETag equals it.
	IfNoneMatch string
	// MaxBytes, when > 0, makes Get refuse objects larger than it with ErrTooLarge
	// before reading their content.
	MaxBytes int64
}

// PutOptions tune a Put.
type PutOptions struct {
	ContentType string
}

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	ETag     string
	Modified time.Time
}

// Object is an object's content with its Info.
type Object struct {
	Info
	Data []byte
}
