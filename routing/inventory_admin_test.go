package routing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"sync"
	"testing"
	"time"
)

// Out-of-order and duplicate snapshots and patches never regress stock: in
// many random sequences of PUT/PATCH with shuffled (and repeated) seqs, the
// held snapshot always equals the model that applies only the highest seq
// seen so far, in order; every refused write is a *StaleSeqError; and a
// second replica reading the store converges on the same snapshot.
func TestPublishOrderingProperty(t *testing.T) {
	const hub = "eu-waw"
	skus := []string{"amber", "vetiver", "rose", "tee"}
	rng := rand.New(rand.NewSource(7))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	for seqNo := range 200 {
		blob := newMemBlob()
		inv := NewStoreInventory(blob)
		// Seqs 1..n shuffled, with some repeated (retries).
		n := 5 + rng.Intn(20)
		seqs := rng.Perm(n)
		for i := range seqs {
			seqs[i]++
		}
		for range rng.Intn(6) {
			seqs = append(seqs, seqs[rng.Intn(len(seqs))])
		}
		rng.Shuffle(len(seqs), func(i, j int) { seqs[i], seqs[j] = seqs[j], seqs[i] })

		var model *Snapshot // what the held snapshot must be
		for step, seq := range seqs {
			items := map[string]int{}
			for _, s := range skus {
				if rng.Intn(3) > 0 {
					items[s] = rng.Intn(20) - 8 // deltas may be negative
				}
			}
			asOf := t0.Add(time.Duration(seq) * time.Second)
			isPatch := model != nil && rng.Intn(2) == 0
			var err error
			if isPatch {
				_, err = inv.ApplyPatch(ctx, hub, Patch{Seq: int64(seq), AsOf: asOf, Items: items})
			} else {
				for k, v := range items {
					items[k] = max(v, 0)
				}
				_, err = inv.Publish(ctx, hub, Snapshot{Seq: int64(seq), AsOf: asOf, Items: maps.Clone(items)})
			}
			where := fmt.Sprintf("sequence %d step %d (seq %d, patch %v)", seqNo, step, seq, isPatch)
			// The model: apply only a seq above the held one.
			if model != nil && int64(seq) <= model.Seq {
				var stale *StaleSeqError
				if !errors.As(err, &stale) || stale.Held != model.Seq || stale.Duplicate != (int64(seq) == model.Seq) {
					t.Fatalf("%s: err %v, want StaleSeqError held %d", where, err, model.Seq)
				}
			} else {
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				next := &Snapshot{Seq: int64(seq), AsOf: asOf, Items: map[string]int{}}
				if isPatch {
					maps.Copy(next.Items, model.Items)
					for k, d := range items {
						next.Items[k] = max(next.Items[k]+d, 0)
					}
				} else {
					maps.Copy(next.Items, items)
				}
				model = next
			}
			held, ok := inv.Snapshot(hub)
			if !ok || !sameSnapshot(held, model) {
				t.Fatalf("%s: held %+v, want %+v", where, held, model)
			}
			for _, s := range skus {
				if lv, _ := inv.Level(hub, s); lv.Qty < 0 {
					t.Fatalf("%s: %s below 0", where, s)
				}
			}
		}
		// Another replica reading the store converges on the same snapshot.
		other := NewStoreInventory(blob)
		if _, err := other.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := other.Snapshot(hub); !sameSnapshot(got, model) {
			t.Fatalf("sequence %d: the store holds %+v, want %+v", seqNo, got, model)
		}
	}
}

// Concurrent writers with random seqs: the highest seq wins, whatever order
// they land in.
func TestPublishConcurrentHighestSeqWins(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	ctx := context.Background()
	for round := range 20 {
		inv := NewStoreInventory(newMemBlob())
		seqs := rng.Perm(50)
		var wg sync.WaitGroup
		for _, seq := range seqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := inv.Publish(ctx, "eu-waw", Snapshot{Seq: int64(seq), AsOf: time.Unix(int64(seq), 0), Items: map[string]int{"amber": seq}})
				var stale *StaleSeqError
				if err != nil && !errors.As(err, &stale) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got, _ := inv.Snapshot("eu-waw"); got.Seq != 49 || got.Items["amber"] != 49 {
			t.Fatalf("round %d: held seq %d amber %d, want 49", round, got.Seq, got.Items["amber"])
		}
	}
}

// A replica that has not polled yet still refuses a seq another replica
// already superseded in the store.
func TestPublishChecksTheStore(t *testing.T) {
	ctx := context.Background()
	blob := newMemBlob()
	a, b := NewStoreInventory(blob), NewStoreInventory(blob)
	if _, err := a.Publish(ctx, "eu-waw", Snapshot{Seq: 5, AsOf: time.Unix(5, 0), Items: map[string]int{"amber": 5}}); err != nil {
		t.Fatal(err)
	}
	_, err := b.Publish(ctx, "eu-waw", Snapshot{Seq: 4, AsOf: time.Unix(4, 0), Items: map[string]int{"amber": 4}})
	var stale *StaleSeqError
	if !errors.As(err, &stale) || stale.Held != 5 {
		t.Fatalf("b publishing seq 4 after a's 5: %v", err)
	}
	if _, err := b.ApplyPatch(ctx, "us-east", Patch{Seq: 1, AsOf: time.Unix(1, 0), Items: map[string]int{"amber": 1}}); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("patch without a snapshot: %v", err)
	}
}

func sameSnapshot(a, b *Snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Seq == b.Seq && a.AsOf.Equal(b.AsOf) && maps.Equal(a.Items, b.Items)
}

func TestReconcile(t *testing.T) {
	held := &Snapshot{Seq: 9, AsOf: time.Unix(100, 0), Items: map[string]int{"amber": 10, "rose": 3, "tee": 0, "cap": 2}}
	for _, tc := range []struct {
		name      string
		held      *Snapshot
		counted   map[string]int
		diffs     string
		matching  int
		uncounted string
	}{
		{"all match", held, map[string]int{"amber": 10, "rose": 3, "tee": 0, "cap": 2}, "[]", 4, "[]"},
		{"shelf short", held, map[string]int{"amber": 7, "rose": 3, "tee": 0, "cap": 2}, "[{amber 10 7 -3}]", 3, "[]"},
		{"shelf over, unlisted sku", held, map[string]int{"amber": 10, "rose": 3, "tee": 0, "cap": 2, "mug": 4}, "[{mug 0 4 4}]", 4, "[]"},
		{"partial count", held, map[string]int{"rose": 1}, "[{rose 3 1 -2}]", 0, "[amber cap]"},
		{"empty count", held, map[string]int{}, "[]", 0, "[amber cap rose]"},
		{"no snapshot", nil, map[string]int{"amber": 2, "tee": 0}, "[{amber 0 2 2}]", 1, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Reconcile("eu-waw", tc.held, tc.counted)
			if got := fmt.Sprint(r.Differences); got != tc.diffs || r.Matching != tc.matching || fmt.Sprint(r.Uncounted) != tc.uncounted {
				t.Errorf("differences %s matching %d uncounted %v, want %s %d %s", got, r.Matching, r.Uncounted, tc.diffs, tc.matching, tc.uncounted)
			}
			if tc.held != nil && (r.Seq != 9 || !r.AsOf.Equal(held.AsOf)) {
				t.Errorf("seq/as_of %d %s", r.Seq, r.AsOf)
			}
		})
	}
	if held.Items["amber"] != 10 {
		t.Error("Reconcile changed the snapshot")
	}
}
