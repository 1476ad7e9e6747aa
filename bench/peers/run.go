package peers

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/harness"
)

// The workloads (issue #16).
const (
	// Steady: originals seen before (a warm-up pass requested two variants
	// of each, as a product page does), every measured request a variant
	// miss (caches off: each one renders).
	Steady = "steady"
	// Cold: each measured request's original is new to the server process
	// (both restarted per round and format, each original requested once).
	Cold = "cold"
	// Product: product-page traffic, thumb/card/pdp/zoom of each original,
	// on the servers of the steady workload (originals seen before).
	Product = "product"
)

// Workloads are all of them, in the order they run.
var Workloads = []string{Steady, Product, Cold}

// Options are one side-by-side run.
type Options struct {
	Sides       []Side // measured in this order within each round: A, B, A, B
	Originals   *Originals
	Workloads   []string
	Formats     []string
	Rounds      int
	Duration    time.Duration // per side, format and round (steady, product)
	Concurrency int
	LogDir      string    // server logs
	Progress    io.Writer // a line per measurement; nil for none
}

// Sample is one measurement: one server, workload, format and round.
type Sample struct {
	Workload, Format, Server string
	Round                    int
	*Measured
}

// Run measures every workload, format and round, the sides in turn.
func Run(ctx context.Context, o Options) ([]Sample, error) {
	// Fewer originals than twice the connections would put identical
	// requests in flight together, and edgeshelf answers those with one
	// render: it would measure coalescing, not rendering.
	if len(o.Originals.SKUs) < 2*o.Concurrency {
		return nil, fmt.Errorf("%d originals for %d connections: need at least twice as many originals", len(o.Originals.SKUs), o.Concurrency)
	}
	client := harness.NewClient(o.Concurrency)
	var out []Sample
	warm := slices.ContainsFunc(o.Workloads, func(w string) bool { return w == Steady || w == Product })
	if warm {
		s, err := o.runWarm(ctx, client)
		out = append(out, s...)
		if err != nil {
			return out, err
		}
	}
	if slices.Contains(o.Workloads, Cold) {
		s, err := o.runCold(ctx, client)
		out = append(out, s...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// runWarm starts each side once, touches every original on it, then
// measures the steady and product workloads round by round.
func (o Options) runWarm(ctx context.Context, client *http.Client) ([]Sample, error) {
	servers := make([]*Server, len(o.Sides))
	defer func() {
		for _, s := range servers {
			if s != nil {
				s.Stop()
			}
		}
	}()
	for i, side := range o.Sides {
		s, err := StartServer(ctx, side, o.Originals, filepath.Join(o.LogDir, side.Name+"-warm.log"))
		if err != nil {
			return nil, err
		}
		servers[i] = s
		touch := Load{Variants: o.warmVariants(), Concurrency: o.Concurrency}
		m, err := touch.Run(ctx, s, client)
		if err != nil {
			return nil, fmt.Errorf("warm-up pass on %s: %w", side.Name, err)
		}
		if m.Failed > 0 {
			return nil, fmt.Errorf("warm-up pass on %s: %d failed: %v", side.Name, m.Failed, m.Problems)
		}
	}
	var out []Sample
	for round := range o.Rounds {
		for _, w := range []string{Steady, Product} {
			if !slices.Contains(o.Workloads, w) {
				continue
			}
			for _, f := range o.Formats {
				for _, s := range servers {
					load := Load{Variants: o.variants(w, f, round), Concurrency: o.Concurrency, Duration: o.Duration}
					m, err := load.Run(ctx, s, client)
					if err != nil {
						return out, err
					}
					out = append(out, o.report(Sample{w, f, s.Side.Name, round, m}))
				}
			}
		}
	}
	return out, nil
}

// runCold restarts each side for every round and format and sends each
// original once.
func (o Options) runCold(ctx context.Context, client *http.Client) ([]Sample, error) {
	var out []Sample
	for round := range o.Rounds {
		for _, f := range o.Formats {
			for _, side := range o.Sides {
				log := filepath.Join(o.LogDir, fmt.Sprintf("%s-cold-%s-%d.log", side.Name, f, round))
				s, err := StartServer(ctx, side, o.Originals, log)
				if err != nil {
					return out, err
				}
				load := Load{Variants: o.variants(Cold, f, round), Concurrency: o.Concurrency}
				m, err := load.Run(ctx, s, client)
				s.Stop()
				if err != nil {
					return out, err
				}
				out = append(out, o.report(Sample{Cold, f, side.Name, round, m}))
			}
		}
	}
	return out, nil
}

func (o Options) report(s Sample) Sample {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "%-8s %-4s round %d %-9s %6.1f rps  %5d ok  %d failed  %.1f CPU-ms/req\n",
			s.Workload, s.Format, s.Round, s.Server, float64(s.OK)/s.Elapsed.Seconds(), s.OK, s.Failed,
			float64(s.CPU.Microseconds())/1000/float64(max(s.OK, 1)))
	}
	return s
}

// warmVariants are the warm-up pass: each original in catalog order at the
// steady workload's width and as a thumbnail. Two variants make an original
// one edgeshelf keeps a source pyramid for (PYRAMID_ADMIT 2): "seen before"
// means what it means for a catalog in service, not a single request.
func (o Options) warmVariants() []Variant {
	var out []Variant
	for _, sku := range o.Originals.SKUs {
		out = append(out, o.Originals.Variant(sku, "jpg", nil), o.Originals.Variant(sku, "jpg", &Presets[0]))
	}
	return out
}

// variants is what a workload requests in format f in a round: every
// original in an order shuffled per round (the same order for each side),
// each at the ad-hoc width or, for product-page traffic, at every preset.
func (o Options) variants(workload, f string, round int) []Variant {
	skus := slices.Clone(o.Originals.SKUs)
	r := rand.New(rand.NewPCG(uint64(round), uint64(len(workload))))
	r.Shuffle(len(skus), func(i, j int) { skus[i], skus[j] = skus[j], skus[i] })
	var out []Variant
	for _, sku := range skus {
		if workload != Product {
			out = append(out, o.Originals.Variant(sku, f, nil))
			continue
		}
		for k := range Presets {
			out = append(out, o.Originals.Variant(sku, f, &Presets[k]))
		}
	}
	return out
}
