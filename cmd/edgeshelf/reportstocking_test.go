package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// `edgeshelf report stocking` plans the demo hubs from a year of imported
// history (the generator's, shifted to end last week).
func TestReportStocking(t *testing.T) {
	dir := origintest.DemoStore(t).Dir()
	blob, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := stockingtest.Generate(1, 52)
	shift := lastWeekStart(time.Now()).AddDate(0, 0, 7).Sub(h.Now)
	for i := range h.Lines {
		h.Lines[i].Time = h.Lines[i].Time.Add(shift)
	}
	if _, err := orderimport.Put(context.Background(), blob, &orderimport.Result{Lines: h.Lines}, "generated", time.Now()); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"report", "stocking", "--store", dir}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"eu-waw", "us-east", "Delivery per hub", "(imported)", "from 1 imports"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	stderr.Reset()
	if code := run([]string{"report", "stocking", "--store", dir, "--stocking-service-level", "2"}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "EDGESHELF_STOCKING_SERVICE_LEVEL") {
		t.Errorf("service level 2: exit %d, %q", code, stderr.String())
	}
}

// lastWeekStart is the Monday 00:00 UTC of the week before t's.
func lastWeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7-7)
}
