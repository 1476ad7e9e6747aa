package expansion_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/routing/expansion/expansiontest"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// now is a Wednesday: the report covers the complete weeks before it.
var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func region(t *testing.T, rep *expansion.Report, name string) expansion.Region {
	t.Helper()
	for _, r := range rep.Regions {
		if r.Region == name {
			return r
		}
	}
	t.Fatalf("no region %s in the report", name)
	return expansion.Region{}
}

func flagCodes(r expansion.Region) string {
	var codes []string
	for _, f := range r.Flags {
		codes = append(codes, f.Code)
	}
	return strings.Join(codes, ",")
}

func TestTwelveWeekHistory(t *testing.T) {
	recs, ds := expansiontest.History(now, 12, expansiontest.TwelveWeeks(), 7)
	for _, weeks := range []int{12, 8} {
		rep := expansion.Compute(expansion.DefaultConfig(), weeks, recs, ds, now)
		if len(rep.Weeks) != weeks || rep.Weeks[weeks-1] != "2026-W47" {
			t.Fatalf("weeks = %v, want %d ending with 2026-W47 (the last complete week)", rep.Weeks, weeks)
		}
		if rep.Orders != rep.Delivered || rep.Orders == 0 || rep.UnmatchedDeliveries != 12*(120+50+32+10)+2*35-rep.Orders {
			t.Errorf("%d weeks: orders %d delivered %d unmatched %d", weeks, rep.Orders, rep.Delivered, rep.UnmatchedDeliveries)
		}
		apac := region(t, rep, "APAC")
		if got := flagCodes(apac); got != expansion.FlagSlowAndLarge {
			t.Errorf("%d weeks: APAC flags = %q, want %s (14%% of orders at 96 h, every week)", weeks, got, expansion.FlagSlowAndLarge)
		}
		if rep.Regions[0].Region != "APAC" {
			t.Errorf("flagged regions come first, got %s", rep.Regions[0].Region)
		}
		for _, name := range []string{"EU", "US", "GB"} {
			if r := region(t, rep, name); r.Flagged {
				t.Errorf("%d weeks: %s flagged %q, want none", weeks, name, flagCodes(r))
			}
		}
	}

	// The GB spike is visible in its weeks but does not flag the region.
	rep := expansion.Compute(expansion.DefaultConfig(), 12, recs, ds, now)
	gb := region(t, rep, "GB")
	var over []string
	for _, w := range gb.Weeks {
		if w.OverBothThresholds {
			over = append(over, w.Week)
		}
	}
	if len(over) != 2 || over[0] != rep.Weeks[8] || over[1] != rep.Weeks[9] {
		t.Errorf("GB weeks over both thresholds = %v, want the spike weeks %s and %s", over, rep.Weeks[8], rep.Weeks[9])
	}
	w := gb.Weeks[8]
	if w.Share < 0.15 || w.AvgDeliveryHours == nil || *w.AvgDeliveryHours < 80 {
		t.Errorf("GB spike week = %+v, want share > 15%% and ~90 h", w)
	}
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "FLAG APAC slow_and_large") || strings.Contains(out, "FLAG GB") || !strings.Contains(out, "2026-W47") {
		t.Errorf("table:\n%s", out)
	}
}

func TestPersistenceNeedsTheRecentWeeks(t *testing.T) {
	// APAC was fine in the latest week: the run of slow weeks is broken.
	regions := expansiontest.TwelveWeeks()
	regions[2].SpikeWeeks, regions[2].SpikeOrders, regions[2].SpikeHours = []int{11}, 32, 30
	recs, ds := expansiontest.History(now, 12, regions, 7)
	rep := expansion.Compute(expansion.DefaultConfig(), 12, recs, ds, now)
	if r := region(t, rep, "APAC"); r.Flagged {
		t.Errorf("APAC flagged %q although its latest week was fast", flagCodes(r))
	}
	// Fewer weeks than the persistence rule can never flag, and says so.
	rep = expansion.Compute(expansion.DefaultConfig(), 4, recs, ds, now)
	if region(t, rep, "APAC").Flagged || len(rep.Notes) == 0 {
		t.Errorf("a 4-week report flagged APAC or gave no note: %+v", rep.Notes)
	}
}

func TestCostPlateau(t *testing.T) {
	cfg := expansion.DefaultConfig()
	cfg.CostTarget = 10
	regions := []expansiontest.Region{
		{Region: "APAC", Country: "JP", Node: "central", Orders: 40, Hours: 30, Cost: 24}, // steady above target
		{Region: "EU", Country: "DE", Node: "eu-waw", Orders: 100, Hours: 30, Cost: 6},    // below target
	}
	recs, ds := expansiontest.History(now, 8, regions, 3)
	// US: above target but falling fast, week by week.
	for w := range 8 {
		rs, dl := expansiontest.History(now.AddDate(0, 0, -7*(7-w)), 1, []expansiontest.Region{
			{Region: "US", Country: "US", Node: "us-east", Orders: 20, Hours: 30, Cost: 30 - 2.5*float64(w)}}, uint64(10+w))
		for i := range rs {
			rs[i].DecisionID += "-us" + string(rune('a'+w))
			dl[i].DecisionID = rs[i].DecisionID
		}
		recs, ds = append(recs, rs...), append(ds, dl...)
	}
	rep := expansion.Compute(cfg, 8, recs, ds, now)
	if got := flagCodes(region(t, rep, "APAC")); got != expansion.FlagCostPlateau {
		t.Errorf("APAC flags = %q, want %s", got, expansion.FlagCostPlateau)
	}
	if r := region(t, rep, "US"); r.Flagged {
		t.Errorf("US cost falls from 30 to 12.5 yet it is flagged %q", flagCodes(r))
	}
	if r := region(t, rep, "EU"); r.Flagged {
		t.Errorf("EU below target flagged %q", flagCodes(r))
	}
	cfg.CostTarget = 0
	if r := region(t, expansion.Compute(cfg, 8, recs, ds, now), "APAC"); r.Flagged {
		t.Errorf("cost target 0 (off) still flags APAC %q", flagCodes(r))
	}
}

func TestOnlyOrdersCountAndCorrectionsWin(t *testing.T) {
	at := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC) // in 2026-W47
	recs := []decisionlog.Record{
		{DecisionID: "a", DecidedAt: at, Source: decisionlog.SourceOrder, Region: "EU"},
		{DecisionID: "b", DecidedAt: at, Source: decisionlog.SourcePage, Region: "EU"},
		{DecisionID: "c", DecidedAt: now, Source: decisionlog.SourceOrder, Region: "EU"}, // this (unfinished) week
	}
	ds := []decisionlog.Delivery{
		{DecisionID: "a", DeliveredAt: at.Add(100 * time.Hour), Cost: 50, PostedAt: at.Add(101 * time.Hour)},
		{DecisionID: "a", DeliveredAt: at.Add(20 * time.Hour), Cost: 5, PostedAt: at.Add(120 * time.Hour)}, // correction
		{DecisionID: "b", DeliveredAt: at.Add(20 * time.Hour), Cost: 5, PostedAt: at.Add(21 * time.Hour)},
	}
	rep := expansion.Compute(expansion.DefaultConfig(), 1, recs, ds, now)
	eu := region(t, rep, "EU")
	w := eu.Weeks[0]
	if rep.Orders != 1 || w.Orders != 1 || w.Share != 1 || w.Delivered != 1 || *w.AvgDeliveryHours != 20 || *w.CostPerDelivery != 5 {
		t.Errorf("week = %+v (orders %d), want the one order, corrected to 20 h and 5", w, rep.Orders)
	}
	if rep.UnmatchedDeliveries != 1 {
		t.Errorf("unmatched = %d, want 1 (the page lookup's)", rep.UnmatchedDeliveries)
	}
}

func TestLoadFromStore(t *testing.T) {
	blob, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	recs, ds := expansiontest.History(now, 12, expansiontest.TwelveWeeks(), 7)
	w := decisionlog.NewWriter(blob, decisionlog.Options{Batch: 500})
	for _, r := range recs {
		w.Append(r)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(ds); i += 1000 {
		if _, err := decisionlog.PutDeliveries(ctx, blob, ds[i:min(i+1000, len(ds))], ds[i].PostedAt); err != nil {
			t.Fatal(err)
		}
	}
	// One damaged object line must not sink the report.
	if _, err := blob.Put(ctx, "decisions/2026-11-20/zz-broken.jsonl", []byte("{not json\n"), storePut()); err != nil {
		t.Fatal(err)
	}
	rep, err := expansion.Load(ctx, blob, expansion.DefaultConfig(), 12, now)
	if err != nil {
		t.Fatal(err)
	}
	want := expansion.Compute(expansion.DefaultConfig(), 12, recs, ds, now)
	if rep.Orders != want.Orders || rep.Delivered != want.Delivered || rep.UnreadableLines != 1 {
		t.Errorf("loaded report: %d orders %d delivered %d unreadable, want %d, %d, 1", rep.Orders, rep.Delivered, rep.UnreadableLines, want.Orders, want.Delivered)
	}
	if got := flagCodes(region(t, rep, "APAC")); got != expansion.FlagSlowAndLarge {
		t.Errorf("APAC flags from the store = %q", got)
	}
	if _, err := expansion.Load(ctx, blob, expansion.DefaultConfig(), 0, now); err == nil {
		t.Error("weeks=0 accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := expansion.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := expansion.DefaultConfig()
	bad.ShareOver = 1.5
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "EDGESHELF_EXPANSION_SHARE_OVER") {
		t.Fatalf("Validate = %v", err)
	}
}

func storePut() store.PutOptions { return store.PutOptions{} }
