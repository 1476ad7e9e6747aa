package events_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/stocking/events"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	src := "\ufeffRegion,From,To,Uplift,Name\n" +
		"# Black Friday: the whole shop\n" +
		"*,2026-11-27,2026-11-30,2.5,black friday\n" +
		"\n" +
		"EU, 2026-08-10, 2026-08-16, 1.5\n"
	got, err := events.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []events.Event{
		{Region: "*", From: day("2026-11-27"), To: day("2026-11-30"), Uplift: 2.5, Name: "black friday"},
		{Region: "EU", From: day("2026-08-10"), To: day("2026-08-16"), Uplift: 1.5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	const head = "region,from,to,uplift\n"
	for _, c := range []struct{ name, src, want string }{
		{"empty", "", "empty file"},
		{"no header", "EU,2026-01-01,2026-01-02,2\n", "line 1: column 1"},
		{"bad date", head + "EU,2026-01-01,2026-01-02,2\nEU,01/02/2026,2026-01-02,2\n", "line 3: from"},
		{"reversed", head + "EU,2026-01-05,2026-01-02,2\n", "line 2: to 2026-01-02 is before"},
		{"uplift typo", head + "EU,2026-01-01,2026-01-02,110\n", "line 2: uplift"},
		{"uplift zero", head + "EU,2026-01-01,2026-01-02,0\n", "line 2: uplift"},
		{"uplift NaN", head + "EU,2026-01-01,2026-01-02,NaN\n", "line 2: uplift"},
		{"no region", head + ",2026-01-01,2026-01-02,2\n", "line 2: region is empty"},
		{"too long", head + "EU,2026-01-01,2027-06-02,2\n", "line 2: event spans"},
		{"fields", head + "EU,2026-01-01\n", "line 2: want 4 or 5 fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, err := events.Parse(strings.NewReader(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse = %v, %v; want an error mentioning %q", evs, err, c.want)
			}
			if evs != nil {
				t.Errorf("an error and %d events: a file is read all or nothing", len(evs))
			}
		})
	}
}

func TestMultipliers(t *testing.T) {
	start := day("2026-08-03") // a Monday
	evs := []events.Event{
		{Region: "EU", From: day("2026-08-10"), To: day("2026-08-16"), Uplift: 2},   // all of week 1
		{Region: "*", From: day("2026-08-23"), To: day("2026-08-23"), Uplift: 4},    // Sunday of week 2
		{Region: "US", From: day("2026-08-03"), To: day("2026-08-30"), Uplift: 9},   // another region
		{Region: "EU", From: day("2026-08-16"), To: day("2026-08-16"), Uplift: 1.5}, // overlaps week 1's
	}
	got := events.Multipliers(evs, "EU", start, 4)
	week1 := 2 * (6 + 1.5) / 7.0
	for i, want := range []float64{1, week1, (6 + 4) / 7.0, 1} {
		if math.Abs(got[i]-want) > 1e-12 {
			t.Errorf("week %d: ×%.4f, want ×%.4f", i, got[i], want)
		}
	}
}

// FuzzParseEvents: any file either parses to events that are valid (dates
// in order, uplift within bounds, a region) or is refused; never a panic.
func FuzzParseEvents(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzParseEvents: the shared, hostile seeds
	f.Add("region,from,to,uplift\nEU,2026-01-01,2026-01-02,2\n")
	f.Add("region,from,to,uplift,name\n*,2026-11-27,2026-11-30,2.5,\"black, friday\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		evs, err := events.Parse(strings.NewReader(src))
		if err != nil {
			if evs != nil {
				t.Fatal("events and an error")
			}
			return
		}
		for _, ev := range evs {
			if ev.Region == "" || ev.To.Before(ev.From) || !(ev.Uplift >= events.MinUplift && ev.Uplift <= events.MaxUplift) {
				t.Fatalf("accepted an invalid event %+v", ev)
			}
			m := events.Multipliers([]events.Event{ev}, ev.Region, ev.From, 3)
			if !(m[0] > 0) || math.IsInf(m[0], 0) {
				t.Fatalf("multiplier %v for %+v", m[0], ev)
			}
		}
	})
}
