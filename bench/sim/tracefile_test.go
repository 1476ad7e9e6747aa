package sim

import (
	"bytes"
	"strings"
	"testing"
)

func TestTraceRoundTrip(t *testing.T) {
	in := &Trace{Name: "t", Reqs: []Request{{Time: 1, Key: "a/1", Size: 10}, {Time: 2, Key: "b/2", Size: 20}, {Time: 3, Key: "a/1", Size: 10}}}
	for _, csv := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteTrace(&buf, in, csv); err != nil {
			t.Fatal(err)
		}
		out, err := ReadTrace(&buf, "t")
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Reqs) != len(in.Reqs) {
			t.Fatalf("csv=%v: %d requests back, want %d", csv, len(out.Reqs), len(in.Reqs))
		}
		for i := range in.Reqs {
			if out.Reqs[i] != in.Reqs[i] {
				t.Errorf("csv=%v: request %d = %+v, want %+v", csv, i, out.Reqs[i], in.Reqs[i])
			}
		}
	}
}

// TestReadAccessTrace reads the origin's format (cache/accesstrace.go).
func TestReadAccessTrace(t *testing.T) {
	acc, err := ReadAccesses(strings.NewReader("1733300000000000001 sku-a/ab12 4717 render\n\n1733300000000000002 sku-a/ab12 4717 l1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 2 || acc[1].Source != "l1" || acc[1].Size != 4717 || acc[0].Key != "sku-a/ab12" || acc[0].Time != 1733300000000000001 {
		t.Fatalf("got %+v", acc)
	}
}

func TestReadTraceRejectsBadLines(t *testing.T) {
	for _, bad := range []string{"1 a", "x a 1", "1 a -5", "1,a,b"} {
		if _, err := ReadTrace(strings.NewReader(bad+"\n"), "t"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if err := WriteTrace(&bytes.Buffer{}, &Trace{Reqs: []Request{{Key: "a b"}}}, false); err == nil {
		t.Error("a key with a space was written")
	}
}
