package demand_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/stocking/demand"
)

var monday = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // ISO 2026-W02

func at(days float64) time.Time { return monday.Add(time.Duration(days * 24 * float64(time.Hour))) }

func TestWeekStartAndISOWeek(t *testing.T) {
	for _, c := range []struct {
		in         time.Time
		start, iso string
	}{
		{time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "2025-12-29", "2026-W01"}, // Thursday of 2026's week 1
		{time.Date(2026, 1, 11, 23, 59, 0, 0, time.UTC), "2026-01-05", "2026-W02"},
		// Sunday 23:30 in New York is Monday in UTC: weeks are UTC weeks.
		{time.Date(2026, 1, 11, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)), "2026-01-12", "2026-W03"},
		{time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC), "2026-12-28", "2026-W53"},
	} {
		ws := demand.WeekStart(c.in)
		if got := ws.Format(time.DateOnly); got != c.start {
			t.Errorf("WeekStart(%v) = %s, want %s", c.in, got, c.start)
		}
		if got := demand.ISOWeek(ws); got != c.iso {
			t.Errorf("ISOWeek(%s) = %s, want %s", c.start, got, c.iso)
		}
	}
}

func TestAggregate(t *testing.T) {
	lines := []demand.OrderLine{
		{OrderID: "1", Time: at(0.5), SKU: "mug", Qty: 2, Region: "EU"},
		{OrderID: "2", Time: at(6.9), SKU: "mug", Qty: 1, Region: "EU"},
		{OrderID: "3", Time: at(21), SKU: "mug", Qty: 4, Region: "EU"},    // week 3; weeks 1 and 2 are zero
		{OrderID: "3", Time: at(21.5), SKU: "mug", Qty: -1, Region: "EU"}, // a refund nets its week
		{OrderID: "4", Time: at(8), SKU: "cap", Qty: 1, Region: "US"},
		{OrderID: "5", Time: at(9), SKU: "cap", Qty: -3, Region: "US"}, // more refunded than sold: 0, not −2
		{OrderID: "6", Time: at(-1), SKU: "mug", Qty: 9, Region: "EU"}, // before the window
		{OrderID: "7", Time: at(28), SKU: "mug", Qty: 9, Region: "EU"}, // after it (to is exclusive)
	}
	got := demand.Aggregate(lines, at(2), at(28)) // rounded down to weeks: 4 weeks
	want := []demand.Series{
		{Region: "EU", SKU: "mug", Start: monday, Units: []float64{3, 0, 0, 3}},
		{Region: "US", SKU: "cap", Start: monday, Units: []float64{0, 0, 0, 0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Aggregate =\n%+v\nwant\n%+v", got, want)
	}
	if got := demand.Aggregate(lines, at(7), at(8)); got != nil {
		t.Errorf("a window shorter than a week aggregated %v", got)
	}
}

func TestOrders(t *testing.T) {
	lines := []demand.OrderLine{
		{OrderID: "B", Time: at(1), SKU: "mug", Qty: 1, Country: "DE", Region: "EU"},
		{OrderID: "A", Time: at(2), SKU: "cap", Qty: 1, Country: "FR", Region: "EU"},
		{OrderID: "B", Time: at(1), SKU: "tee", Qty: 2, Country: "DE", Region: "EU"},
		{OrderID: "C", Time: at(0), SKU: "tee", Qty: 1, Country: "US", Region: "US"},
		{OrderID: "C", Time: at(0.1), SKU: "tee", Qty: -1, Country: "US", Region: "US"}, // fully refunded
	}
	got := demand.Orders(lines)
	want := []demand.Order{
		{ID: "B", Time: at(1), Country: "DE", Region: "EU", Units: map[string]int{"mug": 1, "tee": 2}},
		{ID: "A", Time: at(2), Country: "FR", Region: "EU", Units: map[string]int{"cap": 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Orders =\n%+v\nwant\n%+v", got, want)
	}
}

// FuzzAggregate: whatever the lines, every week is counted once and only
// once: the series are zero-filled to the window, never negative, and (for
// sales without refunds) add up to the units sold inside the window; the
// result does not depend on the lines' order.
func FuzzAggregate(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzAggregate: the shared, hostile seeds
	f.Add([]byte{0, 1, 2, 3, 200, 255, 17, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		var lines []demand.OrderLine
		sold := 0.0
		from, to := at(0), at(35)
		for i := 0; i+2 < len(data); i += 3 {
			l := demand.OrderLine{
				OrderID: string(rune('a' + data[i]%5)), SKU: []string{"mug", "cap", "tee"}[data[i+1]%3],
				Region: []string{"EU", "US"}[data[i+1]/3%2], Qty: int(data[i+2] % 7),
				Time: at(float64(data[i])/4 - 10), // some before, most inside, some after
			}
			lines = append(lines, l)
			if !l.Time.Before(from) && l.Time.Before(to) {
				sold += float64(l.Qty)
			}
		}
		got := demand.Aggregate(lines, from, to)
		total := 0.0
		for _, s := range got {
			if len(s.Units) != 5 || !s.Start.Equal(monday) {
				t.Fatalf("series %s/%s spans %d weeks from %v, want 5 from %v", s.Region, s.SKU, len(s.Units), s.Start, monday)
			}
			for _, u := range s.Units {
				if u < 0 {
					t.Fatalf("negative week in %+v", s)
				}
				total += u
			}
		}
		if total != sold {
			t.Fatalf("series add up to %v units, %v were sold in the window", total, sold)
		}
		shuffled := append([]demand.OrderLine(nil), lines...)
		rand.New(rand.NewPCG(uint64(len(data)), 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again := demand.Aggregate(shuffled, from, to); !reflect.DeepEqual(again, got) {
			t.Fatalf("shuffled lines aggregate differently")
		}
	})
}
