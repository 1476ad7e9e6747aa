package policy

import (
	"fmt"
	"testing"
)

func build(t testing.TB, name string, budget int64) Cache[int] {
	t.Helper()
	c, err := ByName[int](name, budget)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != name {
		t.Fatalf("ByName(%q) built %q", name, c.Name())
	}
	return c
}

func TestByNameUnknown(t *testing.T) {
	if _, err := ByName[int]("arc", 1<<20); err == nil {
		t.Fatal("an unknown policy was built")
	}
	if _, err := ByName[int](LRUName, -1); err == nil {
		t.Fatal("a negative budget was accepted")
	}
	if got := Names(); len(got) != 3 || got[0] != LRUName {
		t.Fatalf("Names() = %v", got)
	}
}

// TestBasics: every policy stores, replaces (accounting the new size, not
// both), removes, and declines an entry over the whole budget, dropping
// the older value under that key so no stale value is served.
func TestBasics(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c := build(t, name, 1000)
			if !c.Set("a/1", 1, 100) {
				t.Fatal("a small entry into an empty cache was declined")
			}
			if v, ok := c.Get("a/1"); !ok || v != 1 {
				t.Fatalf("Get = %v, %v", v, ok)
			}
			c.Set("a/1", 2, 300)
			if v, _ := c.Get("a/1"); v != 2 || c.Bytes() != 300 || c.Len() != 1 {
				t.Fatalf("after replace: value %d, bytes %d, len %d", v, c.Bytes(), c.Len())
			}
			if c.Set("a/1", 3, 1001) {
				t.Fatal("an entry over the budget was admitted")
			}
			if _, ok := c.Get("a/1"); ok || c.Bytes() != 0 {
				t.Fatalf("the older value survived an over-budget replace (bytes %d)", c.Bytes())
			}
			c.Set("b/1", 4, 10)
			if v, ok := c.Remove("b/1"); !ok || v != 4 || c.Len() != 0 || c.Bytes() != 0 {
				t.Fatalf("Remove = %v, %v; len %d bytes %d", v, ok, c.Len(), c.Bytes())
			}
			if _, ok := c.Remove("b/1"); ok {
				t.Fatal("removed twice")
			}
		})
	}
}

// TestNewestSurvivesItsSet: a just-stored entry that fits the budget is
// held after its Set (the next request for a fresh render is a hit), even
// when it is larger than W-TinyLFU's window.
func TestNewestSurvivesItsSet(t *testing.T) {
	for _, name := range Names() {
		c := build(t, name, 10_000)
		for i := range 50 {
			key := fmt.Sprintf("s/%d", i)
			if !c.Set(key, i, 900) {
				t.Fatalf("%s: Set %s declined", name, key)
			}
			if _, ok := c.Get(key); !ok {
				t.Fatalf("%s: %s gone right after its Set", name, key)
			}
		}
	}
}

// TestFrequencyAdmission: W-TinyLFU keeps popular entries when a stream of
// one-off entries, each as large as many of them, passes through.
func TestFrequencyAdmission(t *testing.T) {
	c := build(t, WTinyLFUName, 100_000)
	for round := range 5 {
		for i := range 80 {
			key := fmt.Sprintf("hot/%d", i)
			if _, ok := c.Get(key); !ok {
				c.Set(key, i, 1000)
			}
		}
		_ = round
	}
	for i := range 30 {
		c.Set(fmt.Sprintf("big/%d", i), i, 20_000) // 30 one-offs, 6x the budget
	}
	held := 0
	for i := range 80 {
		if _, ok := c.Get(fmt.Sprintf("hot/%d", i)); ok {
			held++
		}
	}
	if held < 76 {
		t.Fatalf("%d of 80 popular entries survived the one-off large entries", held)
	}
}

// TestS3FIFOGhostReadmits: an entry evicted from the small queue without a
// second request is remembered by the ghost, and when it comes back it goes
// straight to main, where it outlives a stream of one-off entries.
func TestS3FIFOGhostReadmits(t *testing.T) {
	c := NewS3FIFO[int](100_000)
	c.Set("a/returning", 1, 1000)
	for i := range 120 { // push it out of small as a one-off, not out of the ghost
		c.Set(fmt.Sprintf("x/%d", i), i, 1000)
	}
	if _, ok := c.Get("a/returning"); ok {
		t.Fatal("a one-off entry survived more than the budget of newer one-offs")
	}
	c.Set("a/returning", 1, 1000) // the miss's read-through
	if n := c.entries["a/returning"]; n == nil || n.queue != inMain {
		t.Fatal("a ghost's return did not go to main")
	}
	c.Get("a/returning")
	for i := range 200 {
		c.Set(fmt.Sprintf("y/%d", i), i, 1000)
	}
	if _, ok := c.Get("a/returning"); !ok {
		t.Error("an entry in main, used again, was displaced by one-offs")
	}
}
