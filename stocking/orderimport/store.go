package orderimport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/store"
)

// Prefix is where imports live in the store: orders/imports/{id}.json, one
// whole object per import (never under originals/ or results/, which the
// catalog and the cache own).
const Prefix = "orders/imports/"

// maxObjectBytes bounds what Load reads of one import object.
const maxObjectBytes = 512 << 20

// Import is one stored import.
type Import struct {
	ID         string    `json:"id"`
	ImportedAt time.Time `json:"imported_at"`
	// Source names the file or request it came from, for people.
	Source string `json:"source,omitempty"`
	Result
}

// Key is an import's object key.
func Key(id string) string { return Prefix + id + ".json" }

// NewID names an import by its time (so keys list in import order) and 4
// random bytes (so two imports in one second do not collide).
func NewID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Put stores a parsed import as one object: the store has all of it or,
// if the write fails, none of it.
func Put(ctx context.Context, blob store.Blob, res *Result, source string, now time.Time) (*Import, error) {
	imp := &Import{ID: NewID(now), ImportedAt: now.UTC(), Source: source, Result: *res}
	data, err := json.Marshal(imp)
	if err != nil {
		return nil, err
	}
	if _, err := blob.Put(ctx, Key(imp.ID), data, store.PutOptions{ContentType: "application/json"}); err != nil {
		return nil, fmt.Errorf("storing import %s: %w", imp.ID, err)
	}
	return imp, nil
}

// History is every stored import's lines and returns, in import order.
type History struct {
	Imports int
	Lines   []stocking.OrderLine
	Returns []Return
}

// Load reads every import. An import object that no longer decodes is an
// error: silently dropping a shop's history would skew the plan.
func Load(ctx context.Context, blob store.Blob) (*History, error) {
	infos, err := blob.List(ctx, Prefix)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", Prefix, err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	h := &History{Lines: []stocking.OrderLine{}, Returns: []Return{}}
	for _, info := range infos {
		if !strings.HasSuffix(info.Key, ".json") {
			continue
		}
		imp, err := get(ctx, blob, info.Key)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		h.Imports++
		h.Lines = append(h.Lines, imp.Lines...)
		h.Returns = append(h.Returns, imp.Returns...)
	}
	return h, nil
}

func get(ctx context.Context, blob store.Blob, key string) (*Import, error) {
	obj, err := blob.Get(ctx, key, store.GetOptions{MaxBytes: maxObjectBytes})
	if err != nil {
		return nil, err
	}
	var imp Import
	if err := json.Unmarshal(obj.Data, &imp); err != nil {
		return nil, fmt.Errorf("reading %s: %w", key, err)
	}
	return &imp, nil
}
