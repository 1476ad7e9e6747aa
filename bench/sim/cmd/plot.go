package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/edgeshelf/edgeshelf/bench/sim"
)

// plotSweep draws, per trace, the byte- and object-miss ratio against the
// budget, one line per policy (gonum/plot, as bench/harness draws).
func plotSweep(dir string, rs []sim.Result) ([]string, error) {
	var traces []string
	byTrace := map[string][]sim.Result{}
	for _, r := range rs {
		if byTrace[r.Trace] == nil {
			traces = append(traces, r.Trace)
		}
		byTrace[r.Trace] = append(byTrace[r.Trace], r)
	}
	var files []string
	for _, t := range traces {
		for _, m := range []struct {
			name string
			of   func(sim.Result) float64
		}{{"byte", func(r sim.Result) float64 { return r.ByteMiss }}, {"object", func(r sim.Result) float64 { return r.ObjectMiss }}} {
			name := fmt.Sprintf("%s-miss-%s.png", m.name, strings.ReplaceAll(t, ".", "_"))
			if err := missPlot(filepath.Join(dir, name), t, m.name, byTrace[t], m.of); err != nil {
				return files, err
			}
			files = append(files, name)
		}
	}
	return files, nil
}

func missPlot(path, trace, metric string, rs []sim.Result, of func(sim.Result) float64) error {
	var names []string
	lines := map[string]plotter.XYs{}
	for _, r := range rs {
		if lines[r.Policy] == nil {
			names = append(names, r.Policy)
		}
		lines[r.Policy] = append(lines[r.Policy], plotter.XY{X: r.BudgetPct, Y: of(r)})
	}
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("%s: %s-miss ratio vs budget", trace, metric)
	pl.X.Label.Text = "budget (% of the working set's bytes, log)"
	pl.Y.Label.Text = metric + "-miss ratio"
	pl.X.Scale, pl.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{}
	pl.Y.Min = 0
	pl.Legend.Top = true
	pl.Add(plotter.NewGrid())
	for i, n := range names {
		xys := lines[n]
		sort.Slice(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color, pts.Color, pts.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
		if slices.Contains(sim.Offline, n) {
			l.Dashes = plotutil.Dashes(1)
		}
		pl.Add(l, pts)
		pl.Legend.Add(n, l, pts)
	}
	return pl.Save(7*vg.Inch, 4.5*vg.Inch, path)
}
