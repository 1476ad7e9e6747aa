package telemetry

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText writes the totals per hub and per region, then the weeks.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	sections := []struct {
		title string
		rows  []Row
	}{{"Delivery per hub", r.ByHub}, {"Delivery per region", r.ByRegion}, {"Delivery per hub × region × week", r.Weeks}}
	for i, s := range sections {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw, s.title)
		fmt.Fprintln(tw, "hub\tregion\tweek\torders\tdelivered\ton time\treturned\treturn rate\t")
		for _, row := range s.rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s\t\n", dash(row.Hub), dash(row.Region), dash(row.Week),
				row.Orders, row.Delivered, percent(row.OnTimeRate), row.Returned, percent(row.ReturnRate))
		}
		if len(s.rows) == 0 {
			fmt.Fprintln(tw, "(no orders)")
		}
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func percent(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", *v*100)
}
