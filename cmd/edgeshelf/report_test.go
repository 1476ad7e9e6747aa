package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion/expansiontest"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// `edgeshelf report expansion` reads the decision log from the store and
// prints the table: the persistent region flagged, the spike not.
func TestReportExpansion(t *testing.T) {
	dir := t.TempDir()
	blob, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	recs, ds := expansiontest.History(now, 12, expansiontest.TwelveWeeks(), 5)
	w := decisionlog.NewWriter(blob, decisionlog.Options{})
	for _, r := range recs {
		w.Append(r)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := decisionlog.PutDeliveries(ctx, blob, ds, now); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"report", "expansion", "--store", dir, "--expansion-weeks", "12"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "12 complete weeks") || !strings.Contains(out, "FLAG APAC slow_and_large") || strings.Contains(out, "FLAG GB") {
		t.Errorf("report:\n%s", out)
	}

	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"report"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: edgeshelf report expansion") {
		t.Errorf("bare report: exit %d, %q", code, stderr.String())
	}
	if code := run([]string{"report", "expansion", "--store", dir, "--expansion-weeks", "0"}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "EDGESHELF_EXPANSION_WEEKS") {
		t.Errorf("weeks 0: exit %d, %q", code, stderr.String())
	}
}
