package harness

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// pageCDF draws the page-complete time CDF, one line per layout.
func (p *plotSet) pageCDF(r *Results) error {
	if len(r.PageRuns) == 0 {
		return nil
	}
	pl := plot.New()
	pl.Title.Text = "Page-complete time CDF (last image of the page, from its scheduled time)"
	pl.X.Label.Text = "page-complete time (ms, log)"
	pl.Y.Label.Text = "fraction of page views"
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = plot.LogTicks{}
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Add(plotter.NewGrid())
	n := 0
	for _, x := range r.PageRuns {
		var xys plotter.XYs
		for _, c := range x.PageCDF {
			xys = append(xys, plotter.XY{X: max(c.Ms, 0.01), Y: c.Q})
		}
		if len(xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(n)
		l.Width = vg.Points(1.5)
		pl.Add(l)
		pl.Legend.Add(x.Layout, l)
		n++
	}
	if n == 0 {
		return nil
	}
	return p.save(pl, "page-complete-cdf.png")
}
