// Package events reads the known-spike file (region, dates, expected
// uplift) and turns it into per-week demand multipliers, so forecasting
// can take a known spike out of the history and put it back into the
// weeks it is expected in.
package events

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Event is a known spike: demand in Region between From and To (dates,
// inclusive) is expected to be Uplift times the usual (1.5 = +50 %).
// Region "*" means every region.
type Event struct {
	Region string    `json:"region"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Uplift float64   `json:"uplift"`
	Name   string    `json:"name,omitempty"`
}

// Bounds of an event: an uplift outside them is a typo (10 for 1.10), not
// a forecast; an event longer than a year is a season, not an event.
const (
	MinUplift = 0.05
	MaxUplift = 20
	MaxDays   = 366
)

// header is the events file's first line; the name column is optional.
var header = []string{"region", "from", "to", "uplift", "name"}

// Parse reads an events file: CSV with a header line
// `region,from,to,uplift[,name]`, dates as YYYY-MM-DD, blank lines and
// lines starting with # skipped. Errors name the line; one bad line fails
// the whole file, so a half-read file never shapes a forecast.
func Parse(r io.Reader) ([]Event, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Event
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if first {
				return nil, errors.New("events: empty file: want the header region,from,to,uplift[,name]")
			}
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			if err := checkHeader(rec); err != nil {
				return nil, fmt.Errorf("events: line %d: %w", line, err)
			}
			continue
		}
		ev, err := parseRow(rec)
		if err != nil {
			return nil, fmt.Errorf("events: line %d: %w", line, err)
		}
		out = append(out, ev)
	}
}

func checkHeader(rec []string) error {
	if len(rec) < 4 || len(rec) > len(header) {
		return fmt.Errorf("want the header region,from,to,uplift[,name], got %q", strings.Join(rec, ","))
	}
	for i, f := range rec {
		if i == 0 {
			f = strings.TrimPrefix(f, "\ufeff") // spreadsheets save CSV with a byte-order mark
		}
		if !strings.EqualFold(strings.TrimSpace(f), header[i]) {
			return fmt.Errorf("column %d is %q, want %q", i+1, f, header[i])
		}
	}
	return nil
}

func parseRow(rec []string) (Event, error) {
	if len(rec) < 4 || len(rec) > len(header) {
		return Event{}, fmt.Errorf("want 4 or 5 fields, got %d", len(rec))
	}
	ev := Event{Region: strings.TrimSpace(rec[0])}
	if len(rec) == 5 {
		ev.Name = strings.TrimSpace(rec[4])
	}
	if ev.Region == "" {
		return Event{}, errors.New("region is empty (use * for every region)")
	}
	var err error
	if ev.From, err = time.Parse(time.DateOnly, strings.TrimSpace(rec[1])); err != nil {
		return Event{}, fmt.Errorf("from: want YYYY-MM-DD, got %q", rec[1])
	}
	if ev.To, err = time.Parse(time.DateOnly, strings.TrimSpace(rec[2])); err != nil {
		return Event{}, fmt.Errorf("to: want YYYY-MM-DD, got %q", rec[2])
	}
	if ev.To.Before(ev.From) {
		return Event{}, fmt.Errorf("to %s is before from %s", rec[2], rec[1])
	}
	if days := ev.To.Sub(ev.From).Hours()/24 + 1; days > MaxDays {
		return Event{}, fmt.Errorf("event spans %.0f days, more than %d", days, MaxDays)
	}
	ev.Uplift, err = strconv.ParseFloat(strings.TrimSpace(rec[3]), 64)
	if err != nil || math.IsNaN(ev.Uplift) || ev.Uplift < MinUplift || ev.Uplift > MaxUplift {
		return Event{}, fmt.Errorf("uplift: want a number within %v..%v (1.5 = +50 %%), got %q", MinUplift, MaxUplift, rec[3])
	}
	return ev, nil
}

// Multipliers is, for each of weeks weeks from start (a week start), the
// factor events put on region's demand: 1 where none applies; an event
// covering part of a week counts pro rata by days (a 1-day ×4 event in a
// 7-day week is ×(6+4)/7); overlapping events multiply.
func Multipliers(evs []Event, region string, start time.Time, weeks int) []float64 {
	out := make([]float64, max(weeks, 0))
	for i := range out {
		out[i] = 1
	}
	for _, ev := range evs {
		if ev.Region != region && ev.Region != "*" {
			continue
		}
		first := dayIndex(start, ev.From)
		last := dayIndex(start, ev.To)
		for w := range out {
			lo, hi := max(first, w*7), min(last, w*7+6)
			if days := hi - lo + 1; days > 0 {
				out[w] *= (7 - float64(days) + float64(days)*ev.Uplift) / 7
			}
		}
	}
	return out
}

// dayIndex counts whole UTC days from start to t's date.
func dayIndex(start, t time.Time) int {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return int(math.Floor(d.Sub(start).Hours() / 24))
}
