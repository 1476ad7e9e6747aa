package stocking_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

func demoReport(t *testing.T, h *stockingtest.History) *stocking.Report {
	t.Helper()
	rep, err := stocking.Build(stocking.DefaultConfig(), stocking.Input{Lines: h.Lines, Events: h.Events, Hubs: h.Hubs, Now: h.Now}, stockingtest.Promise())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func asJSON(t *testing.T, r *stocking.Report) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same input in any order gives the same report, byte for byte.
func TestBuildIsDeterministic(t *testing.T) {
	h := stockingtest.Generate(3, 52)
	first := asJSON(t, demoReport(t, h))
	if again := asJSON(t, demoReport(t, stockingtest.Generate(3, 52))); !bytes.Equal(first, again) {
		t.Fatal("two runs on the same history differ")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(h.Lines), func(i, j int) { h.Lines[i], h.Lines[j] = h.Lines[j], h.Lines[i] })
	h.Hubs[0], h.Hubs[1] = h.Hubs[1], h.Hubs[0]
	if shuffled := asJSON(t, demoReport(t, h)); !bytes.Equal(first, shuffled) {
		t.Fatal("shuffled lines and hubs give another report")
	}
}

func TestPlansRespectCapacity(t *testing.T) {
	h := stockingtest.Generate(1, 52)
	h.Hubs = append(h.Hubs, stocking.HubCapacity{Hub: "eu-tight", Region: "EU", MaxSKUs: 2, ShelfSlots: 60, LeadTimeWeeks: 1})
	promise := stockingtest.Promise()
	promise.Hub["eu-tight"] = map[string]float64{"EU": 48}
	rep, err := stocking.Build(stocking.DefaultConfig(), stocking.Input{Lines: h.Lines, Events: h.Events, Hubs: h.Hubs, Now: h.Now}, promise)
	if err != nil {
		t.Fatal(err)
	}
	caps := map[string]stocking.HubCapacity{}
	for _, hc := range h.Hubs {
		caps[hc.Hub] = hc
	}
	for _, p := range rep.Plans {
		c := caps[p.Hub]
		slots := 0
		for _, it := range p.Items {
			slots += it.TargetStock
			if it.SafetyStock > it.ReorderPoint || it.ReorderPoint > it.TargetStock {
				t.Errorf("%s %s: safety %d, reorder %d, target %d out of order", p.Hub, it.SKU, it.SafetyStock, it.ReorderPoint, it.TargetStock)
			}
		}
		t.Logf("%s: %d SKUs (max %d), %d slots (of %d), %.1f %% in-region", p.Hub, len(p.Items), c.MaxSKUs, slots, c.ShelfSlots, 100*p.InRegionShare)
		if len(p.Items) == 0 || len(p.Items) > c.MaxSKUs || slots > c.ShelfSlots || slots != p.SlotsUsed {
			t.Errorf("%s: %d SKUs using %d slots (reported %d), capacity %d SKUs and %d slots", p.Hub, len(p.Items), slots, p.SlotsUsed, c.MaxSKUs, c.ShelfSlots)
		}
	}
}

func TestReportContents(t *testing.T) {
	h := stockingtest.Generate(1, 52)
	rep := demoReport(t, h)
	cfg := stocking.DefaultConfig()
	if len(rep.Series) != 28 || len(rep.Plans) != 2 {
		t.Fatalf("%d series and %d plans, want 28 and 2", len(rep.Series), len(rep.Plans))
	}
	for _, s := range rep.Series {
		if len(s.History) != 52 || len(s.Forecast) != cfg.HorizonWeeks || s.Method == "" {
			t.Fatalf("%s/%s: %d weeks of history, %d of forecast, method %q", s.Region, s.SKU, len(s.History), len(s.Forecast), s.Method)
		}
		if s.History[0].Week != "2025-W49" || s.Forecast[0].Week != "2026-W49" {
			t.Errorf("%s/%s: history from %s, forecast from %s", s.Region, s.SKU, s.History[0].Week, s.Forecast[0].Week)
		}
		if !hasScore(s) {
			t.Errorf("%s/%s: method %s with MASE %v is not among its scores %v", s.Region, s.SKU, s.Method, s.MASE, s.Scores)
		}
		for _, f := range s.Forecast {
			if f.Lo < 0 || f.Lo > f.Hi {
				t.Errorf("%s/%s %s: interval %v–%v", s.Region, s.SKU, f.Week, f.Lo, f.Hi)
			}
		}
	}
	us := rep.Plans[1]
	if us.Hub != "us-east" || len(us.Move.SKUs) != len(us.Items) || len(us.Move.SKUs) > cfg.StarterSKUs {
		t.Errorf("new hub us-east: move %v of plan %v, want its plan's SKUs, at most %d", us.Move.SKUs, skus(us.Items), cfg.StarterSKUs)
	}
	eu := rep.Plans[0]
	for _, s := range eu.Move.SKUs {
		if s == "amber-oud-50ml" || s == "vetiver-noir-50ml" {
			t.Errorf("eu-waw already stocks %s, yet the plan moves it in", s)
		}
	}
	if !(eu.MeanHoursAfter < eu.MeanHoursBefore) || eu.HoursSavedPerWeek <= 0 {
		t.Errorf("eu-waw projection: %.1f h → %.1f h, %.1f h saved a week", eu.MeanHoursBefore, eu.MeanHoursAfter, eu.HoursSavedPerWeek)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hub eu-waw (EU)", "Hub us-east (US)", "REORDER AT", "move these", "US      label-tee"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	ok := stocking.Input{Now: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Hubs: []stocking.HubCapacity{{Hub: "h", Region: "EU", LeadTimeWeeks: 1}}}
	promise := stockingtest.Promise()
	for _, c := range []struct {
		name string
		edit func(*stocking.Config, *stocking.Input)
		want string
	}{
		{"service level", func(c *stocking.Config, _ *stocking.Input) { c.ServiceLevel = 1 }, "EDGESHELF_STOCKING_SERVICE_LEVEL"},
		{"interval", func(c *stocking.Config, _ *stocking.Input) { c.Interval = 0 }, "EDGESHELF_STOCKING_INTERVAL"},
		{"review", func(c *stocking.Config, _ *stocking.Input) { c.ReviewWeeks = -1 }, "EDGESHELF_STOCKING_REVIEW_WEEKS"},
		{"hub twice", func(_ *stocking.Config, in *stocking.Input) { in.Hubs = append(in.Hubs, in.Hubs[0]) }, `hub "h" listed twice`},
		{"no region", func(_ *stocking.Config, in *stocking.Input) { in.Hubs = []stocking.HubCapacity{{Hub: "x"}} }, "region are required"},
		{"lead time", func(_ *stocking.Config, in *stocking.Input) { in.Hubs[0].LeadTimeWeeks = -1 }, "lead time"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, in := stocking.DefaultConfig(), ok
			in.Hubs = append([]stocking.HubCapacity(nil), ok.Hubs...)
			c.edit(&cfg, &in)
			if _, err := stocking.Build(cfg, in, promise); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Build = %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	if _, err := stocking.Build(stocking.DefaultConfig(), ok, nil); err == nil {
		t.Error("Build without a promise model succeeded")
	}
	rep, err := stocking.Build(stocking.DefaultConfig(), ok, promise)
	if err != nil || len(rep.Series) != 0 || len(rep.Plans) != 1 || len(rep.Notes) == 0 {
		t.Fatalf("no orders: %+v, %v; want an empty plan and a note", rep, err)
	}
	if !reflect.DeepEqual(rep.Plans[0].Items, []stocking.PlanItem{}) {
		t.Errorf("no orders, yet items %v", rep.Plans[0].Items)
	}
	in := ok
	in.Lines = []stocking.OrderLine{{OrderID: "1", Time: ok.Now.AddDate(0, 0, -10), SKU: "mug", Qty: 1}}
	rep, err = stocking.Build(stocking.DefaultConfig(), in, promise)
	if err != nil || len(rep.Series) != 0 || !strings.Contains(strings.Join(rep.Notes, "\n"), "1 order lines without a SKU or a region") {
		t.Errorf("a line without a region: %v series, notes %q, %v", len(rep.Series), rep.Notes, err)
	}
}

// hasScore: the chosen method is among the scores, with the best MASE.
func hasScore(s stocking.SeriesForecast) bool {
	found := false
	for _, sc := range s.Scores {
		if sc.MASE < s.MASE {
			return false
		}
		found = found || (sc.Method == s.Method && sc.MASE == s.MASE)
	}
	return found
}
