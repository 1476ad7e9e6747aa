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
	p := &plotSet{dir: dir}
	steps := []func(*Results) error{p.latencyCDF, p.p99VsRate, p.hitRatioVsBudget, p.vsCatalogSize, p.pageCDF, p.pageP99VsRate, p.pageHitVsBudget}
	for _, step := range steps {
		if err := step(r); err != nil {
			return p.files, err
		}
	}
	return p.files, nil
}

// plotSet saves plots into dir and remembers their names, so Plot can
// return what it wrote even when a later plot fails.
type plotSet struct {
	dir   string
	files []string
}

func (p *plotSet) save(pl *plot.Plot, name string) error {
	if err := pl.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(p.dir, name)); err != nil {
		return err
	}
	p.files = append(p.files, name)
	return nil
}

// latencyCDF draws one line per run.
func (p *plotSet) latencyCDF(r *Results) error {
	lines := make([]cdfLine, 0, len(r.Runs))
	for _, x := range r.Runs {
		lines = append(lines, cdfLine{name: fmt.Sprintf("%s %g/s", x.Label(), x.Rate), points: x.CDF})
	}
	return p.cdf(lines, "latency-cdf.png", "Latency CDF (open loop, from scheduled time)", "latency (ms, log)", "fraction of requests")
}

// cdfLine is one named line of a CDF plot.
type cdfLine struct {
	name   string
	points []CDFPoint
}

// cdf draws CDF lines on a log time axis into file; nothing when no line
// has a point. Lines past the seventh colour get dashes.
func (p *plotSet) cdf(lines []cdfLine, file, title, xLabel, yLabel string) error {
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = xLabel
	pl.Y.Label.Text = yLabel
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = plot.LogTicks{}
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Add(plotter.NewGrid())
	n := 0
	for _, line := range lines {
		var xys plotter.XYs
		for _, c := range line.points {
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
		l.Dashes = plotutil.Dashes(n / 7)
		l.Width = vg.Points(1.5)
		pl.Add(l)
		pl.Legend.Add(line.name, l)
		n++
	}
	if n == 0 {
		return nil
	}
	return p.save(pl, file)
}

func (p *plotSet) p99VsRate(r *Results) error {
	m, names, nx := series(r, func(x *RunResult) float64 { return x.Rate }, func(x *RunResult) float64 { return x.Latency.P99 })
	if nx <= 1 || r.Options.Scenario != "sweep-rate" {
		return nil
	}
	return p.lines("p99 latency vs request rate", "offered rate (req/s)", "p99 (ms)", "p99-vs-rate.png", false, m, names)
}

func (p *plotSet) hitRatioVsBudget(r *Results) error {
	if r.Options.Scenario != "sweep-l1-budget" {
		return nil
	}
	m := map[string]plotter.XYs{}
	for _, x := range r.Runs {
		mib := float64(x.L1Bytes) / (1 << 20)
		m["cache hit ratio"] = append(m["cache hit ratio"], plotter.XY{X: mib, Y: x.CacheHitRatio})
		m["byte hit ratio"] = append(m["byte hit ratio"], plotter.XY{X: mib, Y: x.ByteHitRatio})
	}
	if len(m["cache hit ratio"]) <= 1 {
		return nil
	}
	return p.lines("L1 hit ratio vs L1 budget", "L1 budget (MiB, log)", "hit ratio", "hit-ratio-vs-l1-budget.png", true, m, []string{"cache hit ratio", "byte hit ratio"})
}

func (p *plotSet) vsCatalogSize(r *Results) error {
	skus := func(x *RunResult) float64 { return float64(x.SKUs) }
	m, names, nx := series(r, skus, func(x *RunResult) float64 { return x.CacheHitRatio })
	if nx <= 1 || r.Options.Scenario != "catalog-growth" {
		return nil
	}
	if err := p.lines("cache hit ratio vs catalog size", "SKUs (log)", "cache hit ratio", "hit-ratio-vs-skus.png", true, m, names); err != nil {
		return err
	}
	m, names, _ = series(r, skus, func(x *RunResult) float64 { return x.Latency.P99 })
	return p.lines("p99 latency vs catalog size", "SKUs (log)", "p99 (ms)", "p99-vs-skus.png", true, m, names)
}

// series groups the runs by label into (x, y) lines sorted by x, and counts
// the distinct x values.
func series(r *Results, xOf, yOf func(*RunResult) float64) (map[string]plotter.XYs, []string, int) {
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

// lines draws one line with points per name.
func (p *plotSet) lines(title, xl, yl, name string, logX bool, m map[string]plotter.XYs, names []string) error {
	pl := plot.New()
	pl.Title.Text, pl.X.Label.Text, pl.Y.Label.Text = title, xl, yl
	if logX {
		pl.X.Scale = plot.LogScale{}
		pl.X.Tick.Marker = plot.LogTicks{}
	}
	pl.Add(plotter.NewGrid())
	for i, k := range names {
		l, pts, err := plotter.NewLinePoints(m[k])
		if err != nil {
			return err
		}
		l.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
		pts.Shape = plotutil.Shape(i)
		pl.Add(l, pts)
		pl.Legend.Add(k, l, pts)
	}
	return p.save(pl, name)
}
