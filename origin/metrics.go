package origin

import (
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/edgeshelf/edgeshelf/transform"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series holds each (route, method, status)'s counter and histogram
	// once looked up: a label lookup hashes the values and allocates, a
	// cost every L1 hit paid twice.
	series sync.Map // seriesKey → requestSeries
}

type seriesKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// seriesFor returns the series of a request. method may point into
// fasthttp's reused buffer: it is only copied when a new series is made,
// since a label the registry keeps must not change under it.
func (m *httpMetrics) seriesFor(route, method string, status int) requestSeries {
	if s, ok := m.series.Load(seriesKey{route, method, status}); ok {
		return s.(requestSeries)
	}
	method, code := strings.Clone(method), strconv.Itoa(status)
	s := requestSeries{count: m.requests.WithLabelValues(route, method, code), latency: m.latency.WithLabelValues(route, code)}
	m.series.Store(seriesKey{route, method, status}, s)
	return s
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	// Process and Go runtime collectors; ignore "already registered" when a
	// registry is shared between servers in tests.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edgeshelf_libvips_tracked_bytes",
		Help: "Memory libvips holds for pixel buffers right now."}, func() float64 {
		return float64(transform.TrackedMemory())
	}))
	f := promauto.With(reg)
	return &httpMetrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{Name: "edgeshelf_http_requests_total",
			Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{Name: "edgeshelf_http_request_seconds",
			Help: "HTTP request latency by route and status.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)},
			[]string{"route", "status"}),
	}
}

// observe records every request's route, status and latency. It runs the
// error handler itself so the status it records is the one sent.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	route := c.Route().Path
	if c.Response().StatusCode() == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched" // keep label cardinality bounded
	}
	elapsed := time.Since(start)
	series := s.m.seriesFor(route, c.Method(), c.Response().StatusCode())
	series.count.Inc()
	series.latency.Observe(elapsed.Seconds())
	if s.log.Enabled(c.UserContext(), slog.LevelDebug) {
		s.log.Debug("request", "method", c.Method(), "path", c.Path(), "status", c.Response().StatusCode(), "ms", float64(elapsed.Microseconds())/1000, "request_id", requestIDOf(c))
	}
	return nil
}

func (s *Server) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{Registry: s.Registry}))
}
