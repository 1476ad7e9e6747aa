package stocking

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as the tables `edgeshelf report stocking`
// prints: per hub its plan and projection, then every series with the
// method the backtest chose and the next weeks' forecast.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Stocking plan from %s to %s (history), service level %.1f %%, %d-week backtest\n",
		r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), r.Config.ServiceLevel*100, r.Config.BacktestWeeks)
	for _, p := range r.Plans {
		writePlan(tw, p)
	}
	fmt.Fprintln(tw, "\nForecasts (units per week; interval", fmt.Sprintf("%.0f %%)", r.Config.Interval*100))
	fmt.Fprintln(tw, "REGION\tSKU\tMETHOD\tMASE\tNAIVE MASE\tNEXT WEEK\tINTERVAL")
	for _, s := range r.Series {
		next := "-"
		band := "-"
		if len(s.Forecast) > 0 {
			f := s.Forecast[0]
			next = fmt.Sprintf("%.1f", f.Mean)
			band = fmt.Sprintf("%.0f–%.0f", f.Lo, f.Hi)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s\n", s.Region, s.SKU, s.Method, s.MASE, s.BaselineMASE, next, band)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(tw, "note:", n)
	}
	return tw.Flush()
}

func writePlan(tw io.Writer, p HubPlan) {
	fmt.Fprintf(tw, "\nHub %s (%s): %d SKUs, %d of %s shelf slots, lead time %.1f weeks\n",
		p.Hub, p.Region, len(p.Items), p.SlotsUsed, limit(p.ShelfSlots), p.LeadTimeWeeks)
	fmt.Fprintf(tw, "  projected: %.1f %% of %s orders in-region; mean delivery %.1f h → %.1f h; %.0f delivery hours saved a week\n",
		p.InRegionShare*100, p.Region, p.MeanHoursBefore, p.MeanHoursAfter, p.HoursSavedPerWeek)
	fmt.Fprintln(tw, "  SKU\tWEEKLY\tσ\tSAFETY\tREORDER AT\tTARGET\tHOURS SAVED/WK")
	for _, it := range p.Items {
		fmt.Fprintf(tw, "  %s\t%.1f\t%.1f\t%d\t%d\t%d\t%.0f\n", it.SKU, it.WeeklyDemand, it.WeeklySigma, it.SafetyStock, it.ReorderPoint, it.TargetStock, it.HoursSaved)
	}
	if len(p.Move.SKUs) > 0 {
		moves := make([]string, len(p.Move.SKUs))
		for i, s := range p.Move.SKUs {
			moves[i] = fmt.Sprintf("%s ×%d", s, p.Move.Units[i])
		}
		fmt.Fprintf(tw, "  move these %d SKUs in: %s\n", len(moves), strings.Join(moves, ", "))
	}
}

func limit(n int) string {
	if n == 0 {
		return "unbounded"
	}
	return fmt.Sprint(n)
}
