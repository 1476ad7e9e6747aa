package harness

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/internal/bytesize"
	"github.com/edgeshelf/edgeshelf/origin"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Layout is a cache-tier layout.
type Layout struct {
	Name    string
	L1Bytes int64 // 0: no memory tier
	L2      bool  // results tier in the (slow) store
	// Regional puts a real HTTP cache (nginx) in the region between the
	// edge and the origin, as a shop's CDN region would.
	Regional bool
	// PatientRenders lets a render wait for a slot up to the render
	// timeout instead of shedding with 503 after 20 ms: the page-views
	// scenario measures the tiers' latency, not the load shedding.
	PatientRenders bool
	// AccessTrace, when set, records every cache access to this file
	// (EDGESHELF_ACCESS_TRACE): the trace simulator's view of the origin.
	AccessTrace string
	L1Policy    string // the memory tier's eviction policy ("": the default)
}

// LayoutNames are the layouts LayoutByName knows.
var LayoutNames = []string{"none", "regional", "l1", "l1+l2", "regional+l1", "l2"}

// LayoutByName returns a layout by name; l1 budgets are filled in from the run's --l1-bytes.
func LayoutByName(name string, l1Bytes int64) (Layout, error) {
	switch name {
	case "none":
		return Layout{Name: name}, nil
	case "regional":
		return Layout{Name: name, Regional: true}, nil
	case "regional+l1":
		return Layout{Name: name, Regional: true, L1Bytes: l1Bytes}, nil
	case "l2":
		return Layout{Name: name, L2: true}, nil
	case "l1":
		return Layout{Name: name, L1Bytes: l1Bytes}, nil
	case "l1+l2":
		return Layout{Name: name, L1Bytes: l1Bytes, L2: true}, nil
	}
	return Layout{}, fmt.Errorf("unknown layout %q (want %s)", name, strings.Join(LayoutNames, ", "))
}

// AdminToken is the bearer token of in-process origins' admin API.
const AdminToken = "edgeshelf-bench-admin-token-0123456789"

// Origin is an in-process origin serving on loopback.
type Origin struct {
	URL     string
	Renders atomic.Int64 // renders that ran to completion
	Addr    string       // host:port
	Policy  string       // the memory tier's eviction policy in effect
	reg     *prometheus.Registry
	server  *origin.Server
	tiered  *cache.Tiered
	done    chan struct{}
}

type countingRenderer struct {
	origin.Renderer
	n *atomic.Int64
}

func (c countingRenderer) Render(ctx context.Context, req transform.Request) (*transform.Result, error) {
	r, err := c.Renderer.Render(ctx, req)
	if err == nil {
		c.n.Add(1)
	}
	return r, err
}

// StartOrigin builds an origin the way cmd/edgeshelf does: originals (and
// catalog.yaml) from blob, L2 results in results (nil: no L2 even when the
// layout asks), the admin API on with AdminToken (token file in tmpDir).
func StartOrigin(ctx context.Context, layout Layout, blob, results store.Blob, tmpDir string, log *slog.Logger) (*Origin, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, err := config.Load(nil, nil, io.Discard)
	if err != nil {
		return nil, err
	}
	cfg.Catalog.Poll = 0
	if layout.PatientRenders {
		cfg.Transform.QueueWait = 0
	}
	cfg.Origin.RoutingPoll = 0
	tokenFile := filepath.Join(tmpDir, "admin-token")
	if err := os.WriteFile(tokenFile, []byte(AdminToken+"\n"), 0o600); err != nil {
		return nil, err
	}
	cfg.Origin.AdminTokenFile = tokenFile
	cat, err := catalog.NewSource(ctx, blob, cfg.Catalog, log)
	if err != nil {
		return nil, fmt.Errorf("loading the catalog: %w", err)
	}
	if err := transform.Startup(cfg.Transform); err != nil {
		return nil, err
	}
	r, err := transform.New(cfg.Transform)
	if err != nil {
		return nil, err
	}
	r.SetLogger(log)
	o := &Origin{done: make(chan struct{})}
	reg := prometheus.NewRegistry()
	cfg.Cache.L1Bytes, cfg.Cache.L2 = bytesize.Size(layout.L1Bytes), layout.L2 && results != nil
	cfg.Cache.AccessTrace = layout.AccessTrace
	if layout.L1Policy != "" {
		cfg.Cache.Policy = layout.L1Policy
	}
	o.Policy = cfg.Cache.Policy
	if o.tiered, err = cache.New(cfg.Cache, results, log, reg); err != nil {
		return nil, err
	}
	o.server, err = origin.New(cfg.Origin, origin.Deps{
		Catalog: cat, Store: blob, Renderer: countingRenderer{r, &o.Renders}, Cache: o.tiered,
		Registry: reg, Log: log, Version: "bench",
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o.Addr = ln.Addr().String()
	o.URL = "http://" + o.Addr
	o.reg = reg
	go func() {
		defer close(o.done)
		_ = o.server.Serve(ln)
	}()
	return o, nil
}

// Close drains the server and waits for background L2 writes.
func (o *Origin) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = o.server.Shutdown(ctx)
	<-o.done
	o.tiered.Close()
}

// ImageRequests is how many /img requests the origin has answered, from its
// own edgeshelf_http_requests_total: what reached it past any regional cache.
func (o *Origin) ImageRequests() int64 {
	mfs, err := o.reg.Gather()
	if err != nil {
		return 0
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "edgeshelf_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && strings.HasPrefix(l.GetValue(), "/img") {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return int64(n)
}
