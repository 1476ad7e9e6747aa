package telemetry_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/telemetry"
)

// Monday 2026-03-02 starts 2026-W10.
var monday = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func order(id, hub, region string, at time.Time, promiseHours int) decisionlog.Record {
	return decisionlog.Record{DecisionID: id, DecidedAt: at, Source: decisionlog.SourceOrder, Node: hub, Region: region, PromiseMaxHours: promiseHours}
}

func delivered(id string, at time.Time) decisionlog.Delivery {
	return decisionlog.Delivery{DecisionID: id, DeliveredAt: at}
}

func rate(v *float64) string {
	if v == nil {
		return "nil"
	}
	return strconv.FormatFloat(*v, 'g', 6, 64)
}

func TestCompute(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name string
		in   telemetry.Input
		// want: hub/region/week → orders, delivered, on time, returned, rates
		want map[string][6]string
	}{
		{
			name: "on time is within the promise, to the hour",
			in: telemetry.Input{
				Decisions: []decisionlog.Record{
					order("a", "eu-waw", "EU", monday, 24), order("b", "eu-waw", "EU", monday, 24),
					order("c", "eu-waw", "EU", monday, 24), order("d", "eu-waw", "EU", monday, 24),
				},
				Deliveries: []decisionlog.Delivery{
					delivered("a", monday.Add(24*h)), delivered("b", monday.Add(24*h+time.Second)),
					delivered("c", monday.Add(2*h)),
				},
			},
			want: map[string][6]string{"eu-waw/EU/2026-W10": {"4", "3", "2", "0", "0.666667", "0"}},
		},
		{
			name: "page lookups are not orders; a delivery counts once, its first",
			in: telemetry.Input{
				Decisions: []decisionlog.Record{
					order("a", "us-east", "US", monday, 48),
					{DecisionID: "p", DecidedAt: monday, Source: decisionlog.SourcePage, Node: "us-east", Region: "US", PromiseMaxHours: 48},
				},
				Deliveries: []decisionlog.Delivery{delivered("a", monday.Add(72*h)), delivered("a", monday.Add(10*h)), delivered("p", monday)},
			},
			want: map[string][6]string{"us-east/US/2026-W10": {"1", "1", "1", "0", "1", "0"}},
		},
		{
			name: "returns of imported orders count under (imported); weeks split",
			in: telemetry.Input{
				Imported: []stocking.OrderLine{
					{OrderID: "#1", Time: monday, SKU: "x", Qty: 1, Region: "GB"},
					{OrderID: "#1", Time: monday, SKU: "y", Qty: 1, Region: "GB"},
					{OrderID: "#2", Time: monday.Add(7 * 24 * h), SKU: "x", Qty: 1, Region: "GB"},
					{OrderID: "#3", Time: monday.Add(7 * 24 * h), SKU: "x", Qty: 1, Region: "GB"},
				},
				Returns: []orderimport.Return{{OrderID: "#1"}, {OrderID: "#3"}, {OrderID: "#unknown"}},
			},
			want: map[string][6]string{
				"(imported)/GB/2026-W10": {"1", "0", "0", "1", "nil", "1"},
				"(imported)/GB/2026-W11": {"2", "0", "0", "1", "nil", "0.5"},
			},
		},
		{
			name: "the window bounds orders by their time",
			in: telemetry.Input{
				Decisions: []decisionlog.Record{order("old", "eu-waw", "EU", monday.Add(-h), 24), order("in", "eu-waw", "EU", monday, 24)},
				From:      monday, To: monday.Add(h),
			},
			want: map[string][6]string{"eu-waw/EU/2026-W10": {"1", "0", "0", "0", "nil", "0"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := telemetry.Compute(c.in)
			if len(rep.Weeks) != len(c.want) {
				t.Fatalf("weeks = %+v", rep.Weeks)
			}
			for _, r := range rep.Weeks {
				got := [6]string{itoa(r.Orders), itoa(r.Delivered), itoa(r.OnTime), itoa(r.Returned), rate(r.OnTimeRate), rate(r.ReturnRate)}
				if want := c.want[r.Hub+"/"+r.Region+"/"+r.Week]; got != want {
					t.Errorf("%s/%s/%s = %v, want %v", r.Hub, r.Region, r.Week, got, want)
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestTotalsAndText(t *testing.T) {
	rep := telemetry.Compute(telemetry.Input{
		Decisions: []decisionlog.Record{
			order("a", "eu-waw", "EU", monday, 24), order("b", "eu-waw", "GB", monday.Add(8*24*time.Hour), 24),
			order("c", "central", "EU", monday, 72),
		},
		Deliveries: []decisionlog.Delivery{delivered("a", monday.Add(time.Hour)), delivered("b", monday.Add(20*24*time.Hour))},
	})
	if len(rep.ByHub) != 2 || rep.ByHub[1].Hub != "eu-waw" || rep.ByHub[1].Orders != 2 || *rep.ByHub[1].OnTimeRate != 0.5 {
		t.Errorf("by hub = %+v", rep.ByHub)
	}
	if len(rep.ByRegion) != 2 || rep.ByRegion[0].Region != "EU" || rep.ByRegion[0].Orders != 2 || *rep.ByRegion[0].OnTimeRate != 1 {
		t.Errorf("by region = %+v", rep.ByRegion)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Delivery per hub", "eu-waw   —       —     2       2          50.0 %", "central  EU      2026-W10  1       0          —        0         0.0 %"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}
