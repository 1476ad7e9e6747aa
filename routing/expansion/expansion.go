// Package expansion answers "where should the next hub go?" from the
// decision log: per destination region and ISO week, the share of orders,
// the average delivery time and the cost per delivery, and flags for the
// regions that have been large and slow for weeks on end (not a one-week
// spike) or whose delivery cost has stopped falling above the target.
package expansion

import (
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
)

// Config holds the thresholds; every one is a setting.
type Config struct {
	Weeks          int     `env:"EXPANSION_WEEKS" envDefault:"8" help:"weeks the expansion report covers by default (?weeks= overrides)"`
	PersistWeeks   int     `env:"EXPANSION_PERSIST_WEEKS" envDefault:"8" help:"consecutive weeks a region must be over both thresholds to be flagged"`
	ShareOver      float64 `env:"EXPANSION_SHARE_OVER" envDefault:"0.12" help:"a region's share of orders (0–1) above which it counts as large"`
	DeliveryHours  float64 `env:"EXPANSION_DELIVERY_HOURS_OVER" envDefault:"48" help:"average delivery hours above which a region counts as slow"`
	CostTarget     float64 `env:"EXPANSION_COST_TARGET" envDefault:"0" help:"target cost per delivery in the shop's currency; 0 turns the cost-plateau flag off"`
	PlateauWeeks   int     `env:"EXPANSION_PLATEAU_WEEKS" envDefault:"4" help:"weeks of cost per delivery above target, not falling, that flag a cost plateau"`
	PlateauFalling float64 `env:"EXPANSION_PLATEAU_FALLING" envDefault:"0.05" help:"a cost that fell by more than this fraction over the plateau weeks is still falling"`
}

// DefaultConfig is the configuration the envDefault tags describe.
func DefaultConfig() Config {
	return Config{Weeks: 8, PersistWeeks: 8, ShareOver: 0.12, DeliveryHours: 48, PlateauWeeks: 4, PlateauFalling: 0.05}
}

// MaxWeeks bounds a report: two years of weekly rows.
const MaxWeeks = 104

// Validate checks the configuration; errors name the environment key.
func (c Config) Validate() error {
	switch {
	case c.Weeks < 1 || c.Weeks > MaxWeeks:
		return fmt.Errorf("EDGESHELF_EXPANSION_WEEKS: must be within 1..%d, got %d", MaxWeeks, c.Weeks)
	case c.PersistWeeks < 1 || c.PersistWeeks > MaxWeeks:
		return fmt.Errorf("EDGESHELF_EXPANSION_PERSIST_WEEKS: must be within 1..%d, got %d", MaxWeeks, c.PersistWeeks)
	case !(c.ShareOver >= 0 && c.ShareOver < 1):
		return fmt.Errorf("EDGESHELF_EXPANSION_SHARE_OVER: must be within [0, 1), got %v", c.ShareOver)
	case !(c.DeliveryHours >= 0) || math.IsInf(c.DeliveryHours, 0):
		return fmt.Errorf("EDGESHELF_EXPANSION_DELIVERY_HOURS_OVER: must be a finite number ≥ 0, got %v", c.DeliveryHours)
	case !(c.CostTarget >= 0) || math.IsInf(c.CostTarget, 0):
		return fmt.Errorf("EDGESHELF_EXPANSION_COST_TARGET: must be a finite number ≥ 0, got %v", c.CostTarget)
	case c.PlateauWeeks < 2 || c.PlateauWeeks > MaxWeeks:
		return fmt.Errorf("EDGESHELF_EXPANSION_PLATEAU_WEEKS: must be within 2..%d, got %d", MaxWeeks, c.PlateauWeeks)
	case !(c.PlateauFalling >= 0 && c.PlateauFalling < 1):
		return fmt.Errorf("EDGESHELF_EXPANSION_PLATEAU_FALLING: must be within [0, 1), got %v", c.PlateauFalling)
	}
	return nil
}

// Flag codes.
const (
	FlagSlowAndLarge = "slow_and_large"
	FlagCostPlateau  = "cost_plateau"
)

// Flag is a reason to consider a hub for a region.
type Flag struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// Week is one region's figures for one ISO week. Averages are over the
// orders whose delivery was reported; nil when none was.
type Week struct {
	Week                string   `json:"week"` // ISO week, 2026-W47
	Start               string   `json:"start"`
	Orders              int      `json:"orders"`
	Share               float64  `json:"share"`
	Delivered           int      `json:"delivered"`
	AvgDeliveryHours    *float64 `json:"avg_delivery_hours"`
	CostPerDelivery     *float64 `json:"cost_per_delivery"`
	OverBothThresholds  bool     `json:"over_both_thresholds"`
	deliveryHours, cost float64
}

// Region is one destination region over the report's weeks.
type Region struct {
	Region  string `json:"region"`
	Orders  int    `json:"orders"`
	Flagged bool   `json:"flagged"`
	Flags   []Flag `json:"flags"`
	Weeks   []Week `json:"weeks"`
}

// Report is the expansion report.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	// From and To bound the complete ISO weeks covered: the current,
	// unfinished week is left out.
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Weeks      []string  `json:"weeks"`
	Thresholds Config    `json:"thresholds"`
	Orders     int       `json:"orders"`
	Delivered  int       `json:"delivered"`
	// UnmatchedDeliveries name decisions the covered log does not hold
	// (older than the window, or from another store).
	UnmatchedDeliveries int      `json:"unmatched_deliveries"`
	UnreadableLines     int      `json:"unreadable_lines"`
	Regions             []Region `json:"regions"`
	Notes               []string `json:"notes,omitempty"`
}

// weekStart is the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7 // Monday = 0
	return day.AddDate(0, 0, -offset)
}

func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// Window is the span a report over weeks complete weeks before now reads:
// decisions from its start, deliveries until now.
func Window(weeks int, now time.Time) (from, to time.Time) {
	to = weekStart(now)
	return to.AddDate(0, 0, -7*weeks), to
}

// Compute builds the report over the weeks complete weeks before now.
// Only orders (decisionlog.SourceOrder) count; product-page lookups do not.
func Compute(cfg Config, weeks int, recs []decisionlog.Record, deliveries []decisionlog.Delivery, now time.Time) *Report {
	from, to := Window(weeks, now)
	rep := &Report{GeneratedAt: now.UTC(), From: from, To: to, Thresholds: cfg}
	for i := range weeks {
		rep.Weeks = append(rep.Weeks, isoWeek(from.AddDate(0, 0, 7*i)))
	}
	t := &tally{rep: rep, orders: map[string]order{}, regions: map[string]*Region{}, totals: make([]int, weeks)}
	t.addOrders(recs)
	t.addDeliveries(deliveries)
	for _, rg := range t.regions {
		t.finish(cfg, rg)
		rep.Regions = append(rep.Regions, *rg)
	}
	sort.Slice(rep.Regions, func(i, j int) bool {
		a, b := rep.Regions[i], rep.Regions[j]
		if a.Flagged != b.Flagged {
			return a.Flagged
		}
		if a.Orders != b.Orders {
			return a.Orders > b.Orders
		}
		return a.Region < b.Region
	})
	if weeks < cfg.PersistWeeks {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the report covers %d weeks, fewer than the %d consecutive weeks that flag a region as slow and large", weeks, cfg.PersistWeeks))
	}
	return rep
}

// order is a logged order inside the report's window.
type order struct {
	week   int
	region string
	at     time.Time
}

// tally accumulates the report's rows.
type tally struct {
	rep     *Report
	orders  map[string]order // by decision id
	regions map[string]*Region
	totals  []int // orders per week, all regions
}

// row is a region's row, made on first use with every week of the window.
func (t *tally) row(region string) *Region {
	rg := t.regions[region]
	if rg == nil {
		rg = &Region{Region: region, Weeks: make([]Week, len(t.rep.Weeks)), Flags: []Flag{}}
		for i := range rg.Weeks {
			rg.Weeks[i].Week = t.rep.Weeks[i]
			rg.Weeks[i].Start = t.rep.From.AddDate(0, 0, 7*i).Format(time.DateOnly)
		}
		t.regions[region] = rg
	}
	return rg
}

// addOrders counts the orders decided inside the window.
func (t *tally) addOrders(recs []decisionlog.Record) {
	from, to := t.rep.From, t.rep.To
	for _, r := range recs {
		if r.Source != decisionlog.SourceOrder || r.DecidedAt.Before(from) || !r.DecidedAt.Before(to) {
			continue
		}
		t.orders[r.DecisionID] = order{week: int(r.DecidedAt.Sub(from) / (7 * 24 * time.Hour)), region: r.Region, at: r.DecidedAt}
	}
	for _, o := range t.orders {
		rg := t.row(o.region)
		rg.Weeks[o.week].Orders++
		rg.Orders++
		t.totals[o.week]++
		t.rep.Orders++
	}
}

// addDeliveries adds each counted order's delivery time and cost; the last
// report of a decision's delivery wins (a correction).
func (t *tally) addDeliveries(deliveries []decisionlog.Delivery) {
	latest := map[string]decisionlog.Delivery{}
	for _, d := range deliveries {
		if prev, ok := latest[d.DecisionID]; !ok || !d.PostedAt.Before(prev.PostedAt) {
			latest[d.DecisionID] = d
		}
	}
	for id, d := range latest {
		o, ok := t.orders[id]
		if !ok {
			t.rep.UnmatchedDeliveries++
			continue
		}
		w := &t.row(o.region).Weeks[o.week]
		w.Delivered++
		w.deliveryHours += max(d.DeliveredAt.Sub(o.at).Hours(), 0)
		w.cost += d.Cost
		t.rep.Delivered++
	}
}

// finish turns a region's sums into shares and averages, and flags it.
func (t *tally) finish(cfg Config, rg *Region) {
	for i := range rg.Weeks {
		w := &rg.Weeks[i]
		if t.totals[i] > 0 {
			w.Share = round(float64(w.Orders)/float64(t.totals[i]), 4)
		}
		if w.Delivered > 0 {
			h, c := round(w.deliveryHours/float64(w.Delivered), 2), round(w.cost/float64(w.Delivered), 2)
			w.AvgDeliveryHours, w.CostPerDelivery = &h, &c
			w.OverBothThresholds = w.Share > cfg.ShareOver && h > cfg.DeliveryHours
		}
	}
	rg.Flags = append(rg.Flags, flags(cfg, rg.Weeks)...)
	rg.Flagged = len(rg.Flags) > 0
}

// flags judges one region's weeks.
func flags(cfg Config, weeks []Week) []Flag {
	var out []Flag
	// Slow and large: the run of qualifying weeks that ends with the last
	// complete week. A run that ended earlier has already been dealt with
	// (or went away by itself).
	run := 0
	for i := len(weeks) - 1; i >= 0 && weeks[i].OverBothThresholds; i-- {
		run++
	}
	if run >= cfg.PersistWeeks {
		out = append(out, Flag{Code: FlagSlowAndLarge, Detail: fmt.Sprintf(
			"over %.0f%% of orders and over %.0f h average delivery for the last %d consecutive weeks",
			cfg.ShareOver*100, cfg.DeliveryHours, run)})
	}
	// Cost plateau: every one of the last PlateauWeeks weeks above target,
	// and the cost not falling by more than PlateauFalling across them.
	if cfg.CostTarget > 0 && len(weeks) >= cfg.PlateauWeeks {
		tail := weeks[len(weeks)-cfg.PlateauWeeks:]
		above := true
		for _, w := range tail {
			if w.CostPerDelivery == nil || *w.CostPerDelivery <= cfg.CostTarget {
				above = false
				break
			}
		}
		if above {
			first, last := *tail[0].CostPerDelivery, *tail[len(tail)-1].CostPerDelivery
			if (first-last)/first <= cfg.PlateauFalling {
				out = append(out, Flag{Code: FlagCostPlateau, Detail: fmt.Sprintf(
					"cost per delivery above the target %.2f for the last %d weeks (%.2f → %.2f), not falling",
					cfg.CostTarget, cfg.PlateauWeeks, first, last)})
			}
		}
	}
	return out
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// WriteTable prints the report for a terminal: one row per region and
// week, then the flags.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Expansion report: %d complete weeks %s … %s, %d orders (%d with a delivery reported)\n",
		len(r.Weeks), r.From.Format(time.DateOnly), r.To.AddDate(0, 0, -1).Format(time.DateOnly), r.Orders, r.Delivered)
	fmt.Fprintf(w, "Thresholds: share > %.0f%% and delivery > %.0f h for %d weeks", r.Thresholds.ShareOver*100, r.Thresholds.DeliveryHours, r.Thresholds.PersistWeeks)
	if r.Thresholds.CostTarget > 0 {
		fmt.Fprintf(w, "; cost target %.2f over %d weeks", r.Thresholds.CostTarget, r.Thresholds.PlateauWeeks)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "region\tweek\torders\tshare\tdelivered\tavg h\tcost/delivery\tover both\t")
	for _, rg := range r.Regions {
		for _, wk := range rg.Weeks {
			over := ""
			if wk.OverBothThresholds {
				over = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f%%\t%d\t%s\t%s\t%s\t\n", rg.Region, wk.Week, wk.Orders, wk.Share*100, wk.Delivered,
				optional(wk.AvgDeliveryHours, 1), optional(wk.CostPerDelivery, 2), over)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	flagged := 0
	for _, rg := range r.Regions {
		for _, f := range rg.Flags {
			fmt.Fprintf(w, "FLAG %s %s: %s\n", rg.Region, f.Code, f.Detail)
			flagged++
		}
	}
	if flagged == 0 {
		fmt.Fprintln(w, "No region flagged.")
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "Note:", n)
	}
	if r.UnmatchedDeliveries > 0 || r.UnreadableLines > 0 {
		fmt.Fprintf(w, "Skipped: %d deliveries without a decision in the window, %d unreadable log lines\n", r.UnmatchedDeliveries, r.UnreadableLines)
	}
	return nil
}

func optional(v *float64, places int) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.*f", places, *v)
}
