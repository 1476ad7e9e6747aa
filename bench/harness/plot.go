package harness

import (
	"fmt"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot draws the PNGs the runs support and returns their file names:
// latency CDF per run (always), p99 vs request rate (several rates), hit
// ratio vs L1 budget (several budgets) and vs catalog size (several sizes).
func Plot(dir string, r *Results) ([]string, error) {
	var files []string
	save := func(p *plot.Plot, name string) error {
		if err := p.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, name)); err != nil {
			return err
		}
		files = append(files, name)
		return nil
	}
	// Latency CDF: one line per run at the first rate.
	if len(r.Runs) > 0 {
		p := plot.New()
		p.Title.Text = "Latency CDF (open loop, from scheduled time)"
		p.X.Label.Text = "latency (ms, log)"
		p.Y.Label.Text = "fraction of requests"
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{}
		p.Legend.Top, p.Legend.Left = true, true
		p.Add(plotter.NewGrid())
		n := 0
		for _, x := range r.Runs {
			var xys plotter.XYs
			for _, c := range x.CDF {
				xys = append(xys, plotter.XY{X: max(c.Ms, 0.01), Y: c.Q})
			}
			if len(xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return files, err
			}
			l.Color = plotutil.Color(n)
			l.Dashes = plotutil.Dashes(n / 7)
			l.Width = vg.Points(1.5)
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s %g/s", x.Label(), x.Rate), l)
			n++
		}
		if n > 0 {
			if err := save(p, "latency-cdf.png"); err != nil {
				return files, err
			}
		}
	}
	series := func(xOf func(*RunResult) float64, yOf func(*RunResult) float64) (map[string]plotter.XYs, []string, int) {
		m := map[string]plotter.XYs{}
		var names []string
		xs := map[float64]bool{}
		for _, x := range r.Runs {
			k := x.Label()
			if _, ok := m[k]; !ok {
				names = append(names, k)
			}
			m[k] = append(m[k], plotter.XY{X: xOf(x), Y: yOf(x)})
			xs[xOf(x)] = true
		}
		for _, k := range names {
			sort.Slice(m[k], func(i, j int) bool { return m[k][i].X < m[k][j].X })
		}
		return m, names, len(xs)
	}
	lines := func(title, xl, yl, name string, logX bool, m map[string]plotter.XYs, names []string) error {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xl, yl
		if logX {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{}
		}
		p.Add(plotter.NewGrid())
		for i, k := range names {
			l, pts, err := plotter.NewLinePoints(m[k])
			if err != nil {
				return err
			}
			l.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
			pts.Shape = plotutil.Shape(i)
			p.Add(l, pts)
			p.Legend.Add(k, l, pts)
		}
		return save(p, name)
	}
	if m, names, nx := series(func(x *RunResult) float64 { return x.Rate }, func(x *RunResult) float64 { return x.Latency.P99 }); nx > 1 && r.Options.Scenario == "sweep-rate" {
		if err := lines("p99 latency vs request rate", "offered rate (req/s)", "p99 (ms)", "p99-vs-rate.png", false, m, names); err != nil {
			return files, err
		}
	}
	if r.Options.Scenario == "sweep-l1-budget" {
		m := map[string]plotter.XYs{}
		for _, x := range r.Runs {
			mib := float64(x.L1Bytes) / (1 << 20)
			m["cache hit ratio"] = append(m["cache hit ratio"], plotter.XY{X: mib, Y: x.CacheHitRatio})
			m["byte hit ratio"] = append(m["byte hit ratio"], plotter.XY{X: mib, Y: x.ByteHitRatio})
		}
		if len(m["cache hit ratio"]) > 1 {
			if err := lines("L1 hit ratio vs L1 budget", "L1 budget (MiB, log)", "hit ratio", "hit-ratio-vs-l1-budget.png", true, m, []string{"cache hit ratio", "byte hit ratio"}); err != nil {
				return files, err
			}
		}
	}
	if m, names, nx := series(func(x *RunResult) float64 { return float64(x.SKUs) }, func(x *RunResult) float64 { return x.CacheHitRatio }); nx > 1 && r.Options.Scenario == "catalog-growth" {
		if err := lines("cache hit ratio vs catalog size", "SKUs (log)", "cache hit ratio", "hit-ratio-vs-skus.png", true, m, names); err != nil {
			return files, err
		}
		m, names, _ = series(func(x *RunResult) float64 { return float64(x.SKUs) }, func(x *RunResult) float64 { return x.Latency.P99 })
		if err := lines("p99 latency vs catalog size", "SKUs (log)", "p99 (ms)", "p99-vs-skus.png", true, m, names); err != nil {
			return files, err
		}
	}
	return files, nil
}
