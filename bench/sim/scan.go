package sim

import (
	"fmt"
	"math/rand/v2"
)

// Scan is a one-time scan: requests for Bytes bytes of cold keys (variants
// of SKUs no other request asks for), each requested once. Every = 0 is a
// warm-up sweep (back to back, in catalog order); Every = k is a crawler
// (one scan request after every k normal ones, in random order).
type Scan struct {
	Bytes int64
	At    int // index of the normal request the scan starts before
	Every int
	Seed  uint64
}

// Window is where a scan sits in a trace: requests [Start, End).
type Window struct{ Start, End int }

// InjectScan returns t with the scan inserted, and where it went. The cold
// keys are variants of c's presets, formats and profiles over SKUs named
// scan-{template}-{n}, so they have real sizes.
func InjectScan(t *Trace, c *Catalog, s Scan) (*Trace, Window) {
	cold := c.coldVariants(s.Bytes)
	if s.Every > 0 {
		rng := rand.New(rand.NewPCG(s.Seed, 3))
		rng.Shuffle(len(cold), func(i, j int) { cold[i], cold[j] = cold[j], cold[i] })
	}
	at := min(max(s.At, 0), len(t.Reqs))
	out := &Trace{Name: t.Name, Reqs: make([]Request, 0, len(t.Reqs)+len(cold))}
	out.Reqs = append(out.Reqs, t.Reqs[:at]...)
	w := Window{Start: at}
	next := at
	for i, v := range cold {
		if s.Every > 0 && i > 0 {
			end := min(next+s.Every, len(t.Reqs))
			out.Reqs = append(out.Reqs, t.Reqs[next:end]...)
			next = end
		}
		tm := int64(0)
		if len(out.Reqs) > 0 {
			tm = out.Reqs[len(out.Reqs)-1].Time
		}
		out.Reqs = append(out.Reqs, Request{Time: tm, Key: v.Key, Size: v.Size})
	}
	w.End = len(out.Reqs)
	out.Reqs = append(out.Reqs, t.Reqs[next:]...)
	return out, w
}

// coldVariants lists never-requested variants worth at least bytes, in
// catalog order.
func (c *Catalog) coldVariants(bytes int64) []Variant {
	tpls := DemoCatalog(c.sizes).SKUs
	var out []Variant
	for n := 0; bytes > 0; n++ {
		tpl := tpls[n%len(tpls)]
		s := SKU{ID: fmt.Sprintf("scan-%s-%06d", tpl.ID, n), Template: tpl.ID, Views: tpl.Views}
		out = append(out, c.variantsOf([]SKU{s}, &bytes)...)
	}
	return out
}
