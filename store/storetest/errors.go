package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
)

func testInvalidKey(t *testing.T, s store.Blob) {
	ctx := t.Context()
	invalid := []string{"", "/abs", "a/../b", "a//b", "a\x00b", "..", ".", "a/./b", "a\\b", "trailing/", "../escape", "a\nb"}
	for _, key := range invalid {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			ops := map[string]error{}
			_, ops["Get"] = s.Get(ctx, key, store.GetOptions{})
			_, ops["Put"] = s.Put(ctx, key, []byte("x"), store.PutOptions{})
			_, ops["Stat"] = s.Stat(ctx, key)
			ops["Delete"] = s.Delete(ctx, key)
			for op, err := range ops {
				if !errors.Is(err, store.ErrInvalidKey) {
					t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, key, err)
				}
			}
		})
	}
	if got, err := s.List(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("after rejected Puts, List = %q, %v; want empty", keys(got), err)
	}
}

func testCancelledContext(t *testing.T, s store.Blob) {
	mustPut(t, s, "kept", []byte("kept"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ops := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, "kept", store.GetOptions{}); return err }},
		{"GetMissing", func() error { _, err := s.Get(ctx, "missing", store.GetOptions{}); return err }},
		{"Put", func() error { _, err := s.Put(ctx, "new", []byte("new"), store.PutOptions{}); return err }},
		{"Stat", func() error { _, err := s.Stat(ctx, "kept"); return err }},
		{"List", func() error { _, err := s.List(ctx, ""); return err }},
		{"Delete", func() error { return s.Delete(ctx, "kept") }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.call()
			// Callers tell a client that went away from a missing object or
			// an outage by this: a cancelled Get must not poison a negative cache.
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want context.Canceled", op.name, err)
			}
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s with a cancelled context = %v, must not claim ErrNotFound or ErrUnavailable", op.name, err)
			}
		})
	}
	if _, err := s.Get(t.Context(), "new", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a cancelled Put stored its object: Get = %v", err)
	}
	if got := mustGet(t, s, "kept"); string(got.Data) != "kept" {
		t.Errorf("a cancelled Delete removed the object: Get = %q", got.Data)
	}
}
